//! The generated L1 structs serialize to exactly the CloudFormation properties.

use formwork_constructs::core::{Expr, Resource, ResourceRef, TagStyle, Val, list};
use formwork_constructs::l1::{cloudfront, ec2, ecr, eks, wafv2};
use serde_json::json;

#[test]
fn ecr_repository_required_and_optional_fields() {
    use ecr::repository::{
        EncryptionConfiguration, EncryptionType, ImageTagMutability, Repository, Tag,
    };
    let mut repo = Repository::new();
    assert_eq!(serde_json::to_value(&repo).unwrap(), json!({}));
    repo.repository_name = Some("api".into());
    repo.image_tag_mutability = Some(ImageTagMutability::Immutable.into());
    repo.empty_on_delete = Some(true.into());
    repo.encryption_configuration = Some(EncryptionConfiguration::new(EncryptionType::Kms).into());
    repo.tags = Some(list([Tag::new("team", "edge")]));
    assert_eq!(
        serde_json::to_value(&repo).unwrap(),
        json!({
            "EmptyOnDelete": true,
            "EncryptionConfiguration": {"EncryptionType": "KMS"},
            "ImageTagMutability": "IMMUTABLE",
            "RepositoryName": "api",
            "Tags": [{"Key": "team", "Value": "edge"}]
        })
    );
    assert_eq!(Repository::CFN_TYPE, "AWS::ECR::Repository");
    assert_eq!(Repository::TAG_STYLE, TagStyle::List);
    assert_eq!(Repository::TAG_PROPERTY, "Tags");
    assert_eq!(ImageTagMutability::Immutable.as_str(), "IMMUTABLE");
}

#[test]
fn attribute_accessors() {
    let r = ResourceRef::<ecr::repository::Repository>::new("s", "Repo");
    assert_eq!(
        serde_json::to_value(r.attr_arn()).unwrap(),
        json!({"Fn::GetAtt": ["Repo", "Arn"]})
    );
    assert_eq!(
        serde_json::to_value(r.attr_repository_uri()).unwrap(),
        json!({"Fn::GetAtt": ["Repo", "RepositoryUri"]})
    );
    assert_eq!(
        serde_json::to_value(r.ref_()).unwrap(),
        json!({"Ref": "Repo"})
    );
    let c = ResourceRef::<eks::cluster::Cluster>::new("s", "Cluster");
    assert_eq!(
        serde_json::to_value(c.attr_kubernetes_network_config_service_ipv6_cidr()).unwrap(),
        json!({"Fn::GetAtt": ["Cluster", "KubernetesNetworkConfig.ServiceIpv6Cidr"]})
    );
    // a typed attribute fits any Val field
    let mut sub = ec2::subnet::Subnet::new(ResourceRef::<ec2::vpc::Vpc>::new("s", "Vpc").ref_());
    sub.cidr_block = Some(
        ResourceRef::<ec2::vpc::Vpc>::new("s", "Vpc")
            .attr_cidr_block()
            .into(),
    );
    assert_eq!(
        serde_json::to_value(&sub).unwrap(),
        json!({"CidrBlock": {"Fn::GetAtt": ["Vpc", "CidrBlock"]}, "VpcId": {"Ref": "Vpc"}})
    );
}

#[test]
fn eks_nodegroup_tags_are_a_map() {
    assert_eq!(eks::nodegroup::Nodegroup::TAG_STYLE, TagStyle::Map);
    assert_eq!(
        ec2::subnet_route_table_association::SubnetRouteTableAssociation::TAG_STYLE,
        TagStyle::None
    );
}

#[test]
fn ec2_subnet_with_expressions() {
    use ec2::subnet::Subnet;
    let mut s = Subnet::new(Expr::reference("Vpc"));
    s.cidr_block = Some(Val::Expr(Expr::select(
        0,
        Expr::cidr(Expr::get_att("Vpc", "CidrBlock"), 4, 8),
    )));
    s.availability_zone = Some(Expr::select(1, Expr::azs()).into());
    s.map_public_ip_on_launch = Some(false.into());
    assert_eq!(
        serde_json::to_value(&s).unwrap(),
        json!({
            "AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": ""}]},
            "CidrBlock": {"Fn::Select": [0, {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 4, 8]}]},
            "MapPublicIpOnLaunch": false,
            "VpcId": {"Ref": "Vpc"}
        })
    );
}

#[test]
fn wafv2_web_acl_with_nested_statements() {
    use wafv2::web_acl::*;
    let geo = Statement {
        geo_match_statement: Some(
            GeoMatchStatement {
                country_codes: Some(list([CountryCodes::Kp])),
                ..GeoMatchStatement::new()
            }
            .into(),
        ),
        ..Statement::new()
    };
    let not_geo = Statement {
        not_statement: Some(NotStatement::new(geo).into()),
        ..Statement::new()
    };
    let rule = Rule {
        action: Some(
            RuleAction {
                block: Some(BlockAction::new().into()),
                ..RuleAction::new()
            }
            .into(),
        ),
        ..Rule::new("geo", 0, not_geo, VisibilityConfig::new(true, "geo", true))
    };
    let mut acl = WebAcl::new(
        DefaultAction {
            allow: Some(AllowAction::new().into()),
            ..DefaultAction::new()
        },
        Scope::Cloudfront,
        VisibilityConfig::new(true, "acl", false),
    );
    acl.rules = Some(list([rule]));
    assert_eq!(
        serde_json::to_value(&acl).unwrap(),
        json!({
            "DefaultAction": {"Allow": {}},
            "Rules": [{
                "Action": {"Block": {}},
                "Name": "geo",
                "Priority": 0,
                "Statement": {"NotStatement": {"Statement": {"GeoMatchStatement": {"CountryCodes": ["KP"]}}}},
                "VisibilityConfig": {"CloudWatchMetricsEnabled": true, "MetricName": "geo", "SampledRequestsEnabled": true}
            }],
            "Scope": "CLOUDFRONT",
            "VisibilityConfig": {"CloudWatchMetricsEnabled": true, "MetricName": "acl", "SampledRequestsEnabled": false}
        })
    );
    assert_eq!(WebAcl::CFN_TYPE, "AWS::WAFv2::WebACL");
}

#[test]
fn cloudfront_distribution_with_grpc() {
    use cloudfront::distribution::*;
    let behavior = DefaultCacheBehavior {
        grpc_config: Some(GrpcConfig::new(true).into()),
        allowed_methods: Some(list([
            "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE",
        ])),
        ..DefaultCacheBehavior::new("api", ViewerProtocolPolicy::HttpsOnly)
    };
    let config = DistributionConfig {
        http_version: Some(HttpVersion::Http2and3.into()),
        origins: Some(list([Origin {
            custom_origin_config: Some(
                CustomOriginConfig {
                    https_port: Some(443.into()),
                    ..CustomOriginConfig::new("https-only")
                }
                .into(),
            ),
            ..Origin::new("api.example.com", "api")
        }])),
        ..DistributionConfig::new(behavior, true)
    };
    let d = Distribution::new(config);
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        json!({
            "DistributionConfig": {
                "DefaultCacheBehavior": {
                    "AllowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
                    "GrpcConfig": {"Enabled": true},
                    "TargetOriginId": "api",
                    "ViewerProtocolPolicy": "https-only"
                },
                "Enabled": true,
                "HttpVersion": "http2and3",
                "Origins": [{
                    "CustomOriginConfig": {"HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
                    "DomainName": "api.example.com",
                    "Id": "api"
                }]
            }
        })
    );
}

/// The L1 types vendored for ECS, DNS, secrets, alarms and auto scaling build values that their
/// own registry schemas accept (the schema validator is the oracle).
#[test]
fn new_service_types_render_schema_valid_properties() {
    use formwork_constructs::l1::{applicationautoscaling, ecs, route53, secretsmanager, sns};
    use formwork_constructs::validate::schema::validate_resource;
    fn ok<R: Resource>(r: &R) -> serde_json::Value {
        let v = serde_json::to_value(r).unwrap();
        let d = validate_resource("R", R::CFN_TYPE, Some(&v));
        assert!(d.is_empty(), "{}: {d:#?}\n{v:#}", R::CFN_TYPE);
        v
    }

    use ecs::task_definition::{
        ContainerDefinition, NetworkMode, PortMapping, RequiresCompatibilities, TaskDefinition,
    };
    let mut port = PortMapping::new();
    port.container_port = Some(50051.into());
    let mut container = ContainerDefinition::new("repo:1", "api");
    container.port_mappings = Some(list([port]));
    container.readonly_root_filesystem = Some(true.into());
    let mut td = TaskDefinition::new();
    td.network_mode = Some(NetworkMode::Awsvpc.into());
    td.requires_compatibilities = Some(list([RequiresCompatibilities::Fargate]));
    td.cpu = Some("256".into());
    td.memory = Some("512".into());
    td.container_definitions = Some(list([container]));
    let v = ok(&td);
    assert_eq!(
        v["ContainerDefinitions"][0]["PortMappings"][0]["ContainerPort"],
        json!(50051)
    );
    assert_eq!(v["NetworkMode"], json!("awsvpc"));

    let mut svc = ecs::service::Service::new();
    let mut lb = ecs::service::LoadBalancer::new();
    lb.container_name = Some("api".into());
    lb.container_port = Some(50051.into());
    lb.target_group_arn = Some(Expr::reference("Tg").into());
    svc.load_balancers = Some(list([lb]));
    svc.cluster = Some(Expr::reference("Cluster").into());
    svc.task_definition = Some(Expr::reference("Td").into());
    ok(&svc);
    let _ = ResourceRef::<ecs::service::Service>::new("s", "Svc").attr_name();

    use applicationautoscaling::scalable_target::{
        ScalableDimension, ScalableTarget, ServiceNamespace,
    };
    let st = ScalableTarget::new(
        4,
        1,
        "service/c/s",
        ScalableDimension::EcsServiceDesiredCount,
        ServiceNamespace::Ecs,
    );
    assert_eq!(
        ok(&st)["ScalableDimension"],
        json!("ecs:service:DesiredCount")
    );

    let mut rs = route53::record_set::RecordSet::new("api.example.com.", "A");
    rs.hosted_zone_id = Some("Z123".into());
    rs.alias_target = Some(
        route53::record_set::AliasTarget::new(Expr::get_att("Alb", "DNSName"), "Z2ABC").into(),
    );
    ok(&rs);

    let mut secret = secretsmanager::secret::Secret::new();
    secret.generate_secret_string = Some(
        secretsmanager::secret::GenerateSecretString {
            password_length: Some(48.into()),
            exclude_punctuation: Some(true.into()),
            ..Default::default()
        }
        .into(),
    );
    ok(&secret);

    let mut sub = sns::subscription::Subscription::new("email", Expr::reference("Topic"));
    sub.endpoint = Some("ops@example.com".into());
    assert_eq!(ok(&sub)["Protocol"], json!("email"));
}
