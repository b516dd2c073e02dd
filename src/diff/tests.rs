//! Unit tests of the diff.

use std::collections::BTreeMap;

use formwork_constructs::validate::schemas;
use serde_json::json;

use super::renames::rewrite_sub;
use super::*;

fn one(old: Value, new: Value) -> StackDiff {
    diff_templates("s", &old, &new, StackStatus::Both)
}

fn repo(name: &str) -> Value {
    json!({"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": name, "ImageTagMutability": "IMMUTABLE"}})
}

#[test]
fn create_only_change_replaces_a_stateful_repository() {
    let d = one(
        json!({"Resources": {"Repo": repo("a")}}),
        json!({"Resources": {"Repo": repo("b")}}),
    );
    assert_eq!(d.resources.len(), 1);
    let r = &d.resources[0];
    assert_eq!(r.action, Action::Replace);
    assert!(r.stateful);
    assert_eq!(r.risk, Some(Risk::DataLoss));
    assert_eq!(r.changes[0].pointer, "/Properties/RepositoryName");
    assert_eq!(r.changes[0].action, Action::Replace);
}

#[test]
fn mutable_change_updates_in_place_and_retain_is_noted() {
    let mut n = repo("a");
    n["Properties"]["ImageTagMutability"] = json!("MUTABLE");
    let d = one(
        json!({"Resources": {"Repo": repo("a")}}),
        json!({"Resources": {"Repo": n}}),
    );
    assert_eq!(d.resources[0].action, Action::Update);
    assert_eq!(d.resources[0].risk, None);

    let mut o = repo("a");
    o["UpdateReplacePolicy"] = json!("Retain");
    let mut n = repo("b");
    n["UpdateReplacePolicy"] = json!("Retain");
    let d = one(
        json!({"Resources": {"Repo": o}}),
        json!({"Resources": {"Repo": n}}),
    );
    assert_eq!(d.resources[0].risk, Some(Risk::Retained));
}

#[test]
fn nested_create_only_pointer_replaces() {
    let o = json!({"Type": "AWS::ECR::Repository", "Properties": {"EncryptionConfiguration": {"EncryptionType": "AES256"}}});
    let n = json!({"Type": "AWS::ECR::Repository", "Properties": {"EncryptionConfiguration": {"EncryptionType": "KMS"}}});
    let d = one(
        json!({"Resources": {"R": o}}),
        json!({"Resources": {"R": n}}),
    );
    assert_eq!(d.resources[0].action, Action::Replace);
    assert_eq!(
        d.resources[0].changes[0].pointer,
        "/Properties/EncryptionConfiguration/EncryptionType"
    );
}

#[test]
fn conditional_create_only_may_replace() {
    let s = schemas::get("AWS::RDS::DBInstance").unwrap();
    let p = s
        .conditional_create_only_properties
        .first()
        .expect("RDS has conditional create-only properties")
        .strip_prefix("/properties/")
        .unwrap()
        .to_owned();
    assert!(!s.create_only_properties.iter().any(|c| c.ends_with(&p)));
    let o = json!({"Type": "AWS::RDS::DBInstance", "Properties": {&p: "a"}});
    let n = json!({"Type": "AWS::RDS::DBInstance", "Properties": {&p: "b"}});
    let d = one(
        json!({"Resources": {"Db": o}}),
        json!({"Resources": {"Db": n}}),
    );
    assert_eq!(d.resources[0].action, Action::MayReplace, "{p}");
    assert_eq!(d.resources[0].risk, Some(Risk::DataLoss));
}

#[test]
fn type_change_replaces() {
    let d = one(
        json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}),
        json!({"Resources": {"T": {"Type": "AWS::SQS::Queue"}}}),
    );
    assert_eq!(d.resources[0].action, Action::Replace);
    assert_eq!(d.resources[0].old_type.as_deref(), Some("AWS::SNS::Topic"));
}

#[test]
fn removal_of_stateful_is_data_loss_unless_retained() {
    let mut kept = repo("k");
    kept["DeletionPolicy"] = json!("Retain");
    let d = one(
        json!({"Resources": {"A": repo("a"), "K": kept, "T": {"Type": "AWS::SNS::Topic"}}}),
        json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}),
    );
    let risks: Vec<_> = d
        .resources
        .iter()
        .map(|r| (r.logical_id.as_str(), r.action, r.risk))
        .collect();
    assert_eq!(
        risks,
        vec![
            ("A", Action::Remove, Some(Risk::DataLoss)),
            ("K", Action::Remove, Some(Risk::Retained))
        ]
    );
}

#[test]
fn changed_logical_id_with_identical_resource_is_a_rename() {
    let d = one(
        json!({"Resources": {"OldRepo": repo("a"), "Gone": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "x"}}}}),
        json!({"Resources": {"NewRepo": repo("a"), "Fresh": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "y"}}}}),
    );
    assert_eq!(
        d.renames,
        vec![Rename {
            from: "OldRepo".into(),
            to: "NewRepo".into(),
            type_name: "AWS::ECR::Repository".into(),
            stateful: true
        }]
    );
    let ids: Vec<_> = d
        .resources
        .iter()
        .map(|r| (r.logical_id.as_str(), r.action))
        .collect();
    assert_eq!(ids, vec![("Fresh", Action::Add), ("Gone", Action::Remove)]);
}

#[test]
fn construct_moved_in_the_tree_is_a_chain_of_renames() {
    // Network/Vpc + Network/Subnet → Vpc + Subnet; the subnet references the VPC, and an
    // unchanged route table references the subnet.
    let old = json!({"Resources": {
        "NetworkVpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "NetworkSubnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "NetworkVpc"}, "CidrBlock": "10.0.0.0/24"}},
        "Assoc": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": "NetworkSubnet"}, "RouteTableId": "rtb-1"}}
    }});
    let new = json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"}},
        "Assoc": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": "Subnet"}, "RouteTableId": "rtb-1"}}
    }});
    let d = one(old.clone(), new.clone());
    let pairs: Vec<_> = d
        .renames
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .collect();
    assert_eq!(
        pairs,
        vec![("NetworkSubnet", "Subnet"), ("NetworkVpc", "Vpc")]
    );
    assert!(d.resources.is_empty(), "{:?}", d.resources);
    let t = refactor_template(&old, &d.renames);
    assert_eq!(t, new);
}

#[test]
fn ambiguous_renames_match_one_to_one_by_suffix() {
    let t = json!({"Type": "AWS::SNS::Topic"});
    let d = one(
        json!({"Resources": {"OldA": t, "OldB": t}}),
        json!({"Resources": {"NewB": t, "NewA": t}}),
    );
    let pairs: Vec<_> = d
        .renames
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .collect();
    assert_eq!(pairs, vec![("OldA", "NewA"), ("OldB", "NewB")]);
}

#[test]
fn rename_needs_same_deletion_policy() {
    let mut n = repo("a");
    n["DeletionPolicy"] = json!("Retain");
    let d = one(
        json!({"Resources": {"A": repo("a")}}),
        json!({"Resources": {"B": n}}),
    );
    assert!(d.renames.is_empty());
    assert_eq!(d.resources.len(), 2);
}

#[test]
fn parameters_outputs_exports_conditions_mappings() {
    let old = json!({
        "Parameters": {"A": {"Type": "String"}, "B": {"Type": "String"}},
        "Conditions": {"C": {"Fn::Equals": ["a", "b"]}},
        "Mappings": {"M": {"k": {"v": "1"}}},
        "Resources": {"T": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"O": {"Value": {"Ref": "T"}, "Export": {"Name": "old-export"}}}
    });
    let new = json!({
        "Parameters": {"A": {"Type": "String", "Default": "x"}, "N": {"Type": "String"}},
        "Mappings": {"M": {"k": {"v": "2"}}},
        "Resources": {"T": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"O": {"Value": {"Ref": "T"}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-t"}}}}
    });
    let d = one(old, new);
    let p: Vec<_> = d
        .parameters
        .iter()
        .map(|e| (e.name.as_str(), e.action))
        .collect();
    assert_eq!(
        p,
        vec![
            ("A", Action::Update),
            ("B", Action::Remove),
            ("N", Action::Add)
        ]
    );
    let e: Vec<_> = d
        .exports
        .iter()
        .map(|e| (e.name.as_str(), e.action))
        .collect();
    assert_eq!(
        e,
        vec![
            ("old-export", Action::Remove),
            (r#"{"Fn::Sub":"${AWS::StackName}-t"}"#, Action::Add)
        ]
    );
    assert_eq!(d.outputs.len(), 1);
    assert_eq!(d.conditions[0].action, Action::Remove);
    assert_eq!(d.mappings[0].action, Action::Update);
    assert!(d.resources.is_empty());
}

#[test]
fn sub_references_are_rewritten() {
    let map = BTreeMap::from([("A".to_owned(), "B".to_owned())]);
    assert_eq!(
        rewrite_sub("x-${A}-${A.Arn}-${!A}-${AB}", &map),
        "x-${B}-${B.Arn}-${!A}-${AB}"
    );
}

#[test]
fn stacks_pair_by_name() {
    let t = json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}});
    let old = Side {
        stacks: vec![("a".into(), t.clone()), ("b".into(), t.clone())],
        single_file: false,
    };
    let new = Side {
        stacks: vec![("b".into(), t.clone()), ("c".into(), t.clone())],
        single_file: false,
    };
    let d = diff_sides(&old, &new);
    let s: Vec<_> = d
        .stacks
        .iter()
        .map(|s| (s.name.as_str(), s.status, s.has_changes()))
        .collect();
    assert_eq!(
        s,
        vec![
            ("b", StackStatus::Both, false),
            ("c", StackStatus::Added, true),
            ("a", StackStatus::Removed, true)
        ]
    );
    assert_eq!(d.stacks[1].resources[0].action, Action::Add);
    assert_eq!(d.stacks[2].resources[0].action, Action::Remove);
}

fn net(cidr: &str, subnet_cidr: &str) -> Value {
    json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}},
        "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": subnet_cidr}},
        "Nodes": {"Type": "AWS::EKS::Nodegroup", "Properties": {"ClusterName": {"Ref": "Cluster"}, "NodeRole": "arn:aws:iam::1:role/n", "Subnets": [{"Ref": "Subnet"}]}},
        "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"RoleArn": "arn:aws:iam::1:role/c", "ResourcesVpcConfig": {"SubnetIds": [{"Ref": "Subnet"}]}}},
        "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": {"Fn::Sub": "in ${Vpc}"}, "VpcId": "vpc-literal"}},
        "Tag": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Fn::Sub": ["${X}", {"X": {"Fn::GetAtt": ["Subnet", "SubnetId"]}}]}}}
    },
    "Outputs": {"SubnetId": {"Value": {"Ref": "Subnet"}}, "Other": {"Value": "x"}}})
}

fn change<'a>(d: &'a StackDiff, id: &str) -> &'a ResourceChange {
    d.resources
        .iter()
        .find(|r| r.logical_id == id)
        .unwrap_or_else(|| panic!("{id} changes: {:?}", d.resources))
}

#[test]
fn replacement_knocks_on_through_create_only_references() {
    let d = one(
        net("10.0.0.0/16", "10.0.0.0/24"),
        net("10.1.0.0/16", "10.1.0.0/24"),
    );
    assert_eq!(change(&d, "Vpc").action, Action::Replace);
    // The subnet is replaced for its own CidrBlock and for its VpcId (a Ref to the VPC).
    let subnet = change(&d, "Subnet");
    assert_eq!(subnet.action, Action::Replace);
    assert_eq!(
        subnet.knock_on,
        vec![KnockOn {
            pointer: "/Properties/VpcId".into(),
            refers_to: "Vpc".into(),
            action: Action::Replace
        }]
    );
    // Subnets is create-only on a node group: replaced; on a cluster it is updatable, but not
    // into another VPC.
    let nodes = change(&d, "Nodes");
    assert_eq!(nodes.action, Action::Replace);
    assert_eq!(nodes.knock_on[0].pointer, "/Properties/Subnets/0");
    assert!(nodes.will_fail.is_none());
    let cluster = change(&d, "Cluster");
    assert_eq!(cluster.action, Action::Update);
    assert!(
        cluster
            .will_fail
            .as_deref()
            .is_some_and(|w| w.contains("cannot move to another VPC")),
        "{cluster:?}"
    );
    // GroupDescription is create-only and holds `${Vpc}`: replaced. A Sub variable bound to a
    // GetAtt is a reference too (an update of a mutable Value).
    assert_eq!(change(&d, "Sg").action, Action::Replace);
    assert_eq!(
        change(&d, "Sg").knock_on[0].pointer,
        "/Properties/GroupDescription"
    );
    assert_eq!(change(&d, "Tag").action, Action::Update);
    assert_eq!(change(&d, "Tag").knock_on[0].refers_to, "Subnet");
}

#[test]
fn a_subnet_replaced_in_the_same_vpc_does_not_fail_the_cluster() {
    let d = one(
        net("10.0.0.0/16", "10.0.0.0/24"),
        net("10.0.0.0/16", "10.0.1.0/24"),
    );
    assert!(d.resources.iter().all(|r| r.logical_id != "Vpc"));
    assert_eq!(change(&d, "Nodes").action, Action::Replace);
    let cluster = change(&d, "Cluster");
    assert_eq!(cluster.action, Action::Update);
    assert_eq!(cluster.will_fail, None);
    // Unchanged resources that refer to nothing replaced stay out of the diff.
    assert!(d.resources.iter().all(|r| r.logical_id != "Sg"));
}

#[test]
fn knock_ons_cross_stacks_through_read_outputs() {
    let app = json!({"Resources": {
        "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"VpcId": {"Fn::GetStackOutput": {"StackName": "net", "OutputName": "SubnetId"}}}},
        "Keep": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"VpcId": {"Fn::GetStackOutput": {"StackName": "net", "OutputName": "Other"}}}}
    }});
    let side = |t: Value| Side {
        stacks: vec![("net".into(), t), ("app".into(), app.clone())],
        single_file: false,
    };
    let d = diff_sides(
        &side(net("10.0.0.0/16", "10.0.0.0/24")),
        &side(net("10.0.0.0/16", "10.0.1.0/24")),
    );
    let app = d.stack("app").unwrap();
    assert_eq!(app.resources.len(), 1, "{:?}", app.resources);
    assert_eq!(change(app, "Tg").action, Action::Replace);
    assert_eq!(change(app, "Tg").knock_on[0].refers_to, "net.SubnetId");
}

#[test]
fn knock_on_replacement_of_a_stateful_resource_is_at_risk() {
    let t = |name: &str| {
        json!({"Resources": {
            "Key": {"Type": "AWS::KMS::Key", "Properties": {"Description": name}},
            "Src": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": name}},
            "Repo": {"Type": "AWS::ECR::Repository", "UpdateReplacePolicy": "Retain", "Properties": {"RepositoryName": {"Fn::GetAtt": ["Src", "TopicName"]}}}
        }})
    };
    let d = one(t("a"), t("b"));
    let repo = change(&d, "Repo");
    assert_eq!(repo.action, Action::Replace);
    assert_eq!(repo.risk, Some(Risk::Retained));
    assert_eq!(repo.kept_by.as_deref(), Some("UpdateReplacePolicy: Retain"));
}

#[test]
fn a_retained_removal_is_orphaned_not_deleted() {
    let mut r = repo("a");
    r["DeletionPolicy"] = json!("Retain");
    let d = one(json!({"Resources": {"Repo": r}}), json!({"Resources": {}}));
    assert_eq!(d.resources[0].risk, Some(Risk::Retained));
    assert_eq!(
        d.resources[0].kept_by.as_deref(),
        Some("DeletionPolicy: Retain")
    );
    let diff = Diff {
        stacks: vec![d],
        broken_reads: Vec::new(),
        files: Vec::new(),
    };
    let text = crate::diff_render::render_text(&diff, false);
    assert!(
        text.contains("orphaned, not deleted (DeletionPolicy: Retain)")
            && !text.contains("DATA LOSS"),
        "{text}"
    );
}
