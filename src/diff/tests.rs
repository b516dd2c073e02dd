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
