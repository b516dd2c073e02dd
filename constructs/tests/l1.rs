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
