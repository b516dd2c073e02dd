//! Application Auto Scaling: [`ServiceScaling`] for ECS services (target tracking on CPU and on
//! ALB `RequestCountPerTarget`).
//!
//! CloudFormation: [`AWS::ApplicationAutoScaling::ScalableTarget`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-applicationautoscaling-scalabletarget.html),
//! [`AWS::ApplicationAutoScaling::ScalingPolicy`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-applicationautoscaling-scalingpolicy.html).

mod service_scaling;

pub use service_scaling::{
    RequestCountTarget, ServiceScaling, ServiceScalingHandle, ServiceScalingProps,
};
