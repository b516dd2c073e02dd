//! Reference rules: FW-REF-001…007. Skipped when the template has a `Transform` (macros such as
//! SAM create resources and names the template does not declare).

use std::collections::BTreeSet;

use serde_json::Value;

use super::Ctx;
use crate::core::expr::{Pseudo, sub_variables};
use crate::validate::diagnostic::Severity;
use crate::validate::diagnostic::escape_segment;
use crate::validate::registry::{Check, Code, Rule};
use crate::validate::schemas;

/// Types whose attributes are open-ended (custom resources, nested stacks' `Outputs.X`, …).
fn open_attributes(ty: &str) -> bool {
    ty.starts_with("Custom::")
        || ty == "AWS::CloudFormation::CustomResource"
        || ty == "AWS::CloudFormation::Stack"
        || ty.starts_with("AWS::Serverless::")
}

struct Names {
    params: BTreeSet<String>,
    resources: BTreeSet<String>,
    conditions: BTreeSet<String>,
    mappings: BTreeSet<String>,
}

fn keys(root: &Value, k: &str) -> BTreeSet<String> {
    root.get(k)
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

struct Walker<'c, 'a> {
    ctx: &'c Ctx<'a>,
    names: &'c Names,
    found: Vec<(Code, Option<String>, String, String, String)>,
}

impl Walker<'_, '_> {
    fn report(&mut self, code: Code, id: Option<&str>, ptr: &str, msg: String, fix: &str) {
        self.found.push((
            code,
            id.map(str::to_owned),
            ptr.to_owned(),
            msg,
            fix.to_owned(),
        ));
    }

    fn check_getatt(&mut self, id: Option<&str>, ptr: &str, res: &str, attr: Option<&str>) {
        if !self.names.resources.contains(res) {
            self.report(
                Code::RefGetAttUnknown,
                id,
                ptr,
                format!("Fn::GetAtt on {res}, which is not a resource of this template"),
                "use the logical id of a resource declared under Resources",
            );
            return;
        }
        let (Some(attr), Some(ty)) = (attr, self.ctx.type_of(res)) else {
            return;
        };
        if open_attributes(ty) {
            return;
        }
        let Some(entry) = schemas::get(ty) else {
            return;
        };
        let first = attr.split('.').next().unwrap_or(attr);
        let known = entry.read_only_attributes().any(|a| a == attr)
            || entry.has_property(first)
            || entry.has_property(attr);
        if !known {
            let mut attrs: Vec<String> = entry.read_only_attributes().collect();
            attrs.sort();
            self.report(
                Code::RefGetAttAttribute,
                id,
                ptr,
                format!(
                    "{ty} has no attribute {attr} (attributes: {})",
                    if attrs.is_empty() {
                        "none".to_owned()
                    } else {
                        attrs.join(", ")
                    }
                ),
                "use one of the documented attributes (Fn::GetAtt), or Ref for the resource's id",
            );
        }
    }

    fn walk(&mut self, v: &Value, id: Option<&str>, ptr: &mut String, locals: &BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                if m.len() == 1 {
                    let (k, arg) = m
                        .iter()
                        .next()
                        .map(|(k, a)| (k.as_str(), a))
                        .unwrap_or(("", v));
                    match k {
                        "Ref" => {
                            if let Some(name) = arg.as_str()
                                && Pseudo::parse(name).is_none()
                                && !self.names.params.contains(name)
                                && !self.names.resources.contains(name)
                                && !locals.contains(name)
                            {
                                let p = ptr.clone();
                                self.report(
                                    Code::RefUnknown,
                                    id,
                                    &p,
                                    format!("Ref {name}: no parameter or resource has this name"),
                                    "declare the parameter/resource, or fix the name",
                                );
                            }
                        }
                        "Fn::GetAtt" => {
                            let (res, attr) = match arg {
                                Value::Array(a) => (
                                    a.first().and_then(Value::as_str),
                                    a.get(1).and_then(Value::as_str),
                                ),
                                Value::String(s) => match s.split_once('.') {
                                    Some((r, a)) => (Some(r), Some(a)),
                                    None => (Some(s.as_str()), None),
                                },
                                _ => (None, None),
                            };
                            if let Some(res) = res {
                                let p = ptr.clone();
                                self.check_getatt(id, &p, res, attr);
                            }
                        }
                        "Fn::Sub" => {
                            let (text, vars) = match arg {
                                Value::String(s) => (Some(s.as_str()), None),
                                Value::Array(a) => (
                                    a.first().and_then(Value::as_str),
                                    a.get(1).and_then(Value::as_object),
                                ),
                                _ => (None, None),
                            };
                            let mut local = locals.clone();
                            if let Some(vars) = vars {
                                local.extend(vars.keys().cloned());
                            }
                            if let Some(text) = text {
                                for var in sub_variables(text) {
                                    if Pseudo::parse(&var).is_some()
                                        || self.names.params.contains(&var)
                                        || self.names.resources.contains(&var)
                                        || local.contains(&var)
                                    {
                                        continue;
                                    }
                                    let p = ptr.clone();
                                    if let Some((r, a)) = var.split_once('.')
                                        && !local.contains(r)
                                    {
                                        self.check_getatt(id, &p, r, Some(a));
                                        continue;
                                    }
                                    self.report(
                                        Code::RefSubVariable,
                                        id,
                                        &p,
                                        format!("Fn::Sub variable ${{{var}}} is not a parameter, resource, pseudo parameter or Sub variable"),
                                        "declare it, add it to the Sub variable map, or write ${!Literal} for a literal ${",
                                    );
                                }
                            }
                            if let Some(vars) = vars {
                                for (name, val) in vars {
                                    let len = ptr.len();
                                    ptr.push_str(&format!("/Fn::Sub/1/{}", escape_segment(name)));
                                    self.walk(val, id, ptr, locals);
                                    ptr.truncate(len);
                                }
                            }
                            return;
                        }
                        "Fn::If" => {
                            if let Some(c) = arg
                                .as_array()
                                .and_then(|a| a.first())
                                .and_then(Value::as_str)
                                && !self.names.conditions.contains(c)
                            {
                                let p = ptr.clone();
                                self.report(
                                    Code::RefCondition,
                                    id,
                                    &p,
                                    format!(
                                        "Fn::If condition {c} is not declared under Conditions"
                                    ),
                                    "declare the condition, or fix the name",
                                );
                            }
                        }
                        "Condition" if id.is_none() || ptr.starts_with("/Conditions") => {
                            if let Some(c) = arg.as_str()
                                && !self.names.conditions.contains(c)
                            {
                                let p = ptr.clone();
                                self.report(
                                    Code::RefCondition,
                                    id,
                                    &p,
                                    format!("condition {c} is not declared under Conditions"),
                                    "declare the condition, or fix the name",
                                );
                            }
                        }
                        "Fn::FindInMap" => {
                            if let Some(mname) = arg
                                .as_array()
                                .and_then(|a| a.first())
                                .and_then(Value::as_str)
                                && !self.names.mappings.contains(mname)
                            {
                                let p = ptr.clone();
                                self.report(
                                    Code::RefMapping,
                                    id,
                                    &p,
                                    format!("Fn::FindInMap on mapping {mname}, which is not declared under Mappings"),
                                    "declare the mapping, or fix the name",
                                );
                            }
                        }
                        _ => {}
                    }
                }
                for (k, child) in m {
                    let len = ptr.len();
                    ptr.push('/');
                    ptr.push_str(&escape_segment(k));
                    self.walk(child, id, ptr, locals);
                    ptr.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let len = ptr.len();
                    ptr.push_str(&format!("/{i}"));
                    self.walk(child, id, ptr, locals);
                    ptr.truncate(len);
                }
            }
            _ => {}
        }
    }
}

pub(super) fn run(ctx: &mut Ctx<'_>) {
    if ctx.root.get("Transform").is_some() {
        return;
    }
    let names = Names {
        params: keys(ctx.root, "Parameters"),
        resources: keys(ctx.root, "Resources"),
        conditions: keys(ctx.root, "Conditions"),
        mappings: keys(ctx.root, "Mappings"),
    };
    let mut w = Walker {
        ctx,
        names: &names,
        found: Vec::new(),
    };
    let none = BTreeSet::new();
    for (id, r) in ctx.resources {
        let Some(r) = r.as_object() else { continue };
        for key in ["Properties", "Metadata", "UpdatePolicy", "CreationPolicy"] {
            if let Some(v) = r.get(key) {
                let mut ptr = format!("/{key}");
                w.walk(v, Some(id), &mut ptr, &none);
            }
        }
        let deps: Vec<&str> = match r.get("DependsOn") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for d in deps {
            if !names.resources.contains(d) {
                w.report(
                    Code::RefDependsOn,
                    Some(id),
                    "/DependsOn",
                    format!("DependsOn {d}, which is not a resource of this template"),
                    "depend on a resource declared under Resources, or remove the entry",
                );
            }
        }
        if let Some(c) = r.get("Condition").and_then(Value::as_str)
            && !names.conditions.contains(c)
        {
            w.report(
                Code::RefCondition,
                Some(id),
                "/Condition",
                format!("condition {c} is not declared under Conditions"),
                "declare the condition, or fix the name",
            );
        }
    }
    for section in ["Outputs", "Conditions"] {
        if let Some(m) = ctx.root.get(section).and_then(Value::as_object) {
            for (name, v) in m {
                let mut ptr = format!("/{section}/{}", escape_segment(name));
                w.walk(v, None, &mut ptr, &none);
                if section == "Outputs"
                    && let Some(c) = v.get("Condition").and_then(Value::as_str)
                    && !names.conditions.contains(c)
                {
                    let p = format!("{ptr}/Condition");
                    w.report(
                        Code::RefCondition,
                        None,
                        &p,
                        format!("output {name}: condition {c} is not declared under Conditions"),
                        "declare the condition, or fix the name",
                    );
                }
            }
        }
    }
    let found = std::mem::take(&mut w.found);
    for (code, id, ptr, msg, fix) in found {
        ctx.emit(code, id.as_deref(), ptr, msg, fix);
    }
}

/// The rules of this family (see [`crate::validate::registry`]).
pub(crate) const RULES: &[Rule] = &[
    Rule {
        code: Code::RefUnknown,
        severity: Severity::Error,
        summary: "Ref to an unknown parameter or resource",
        what: "`Ref` must name a parameter, a resource or a pseudo parameter (`AWS::Region`, …).",
        fix: "declare it or fix the name.",
        source: "CloudFormation template anatomy",
        check: Check::Fn(run),
    },
    Rule {
        code: Code::RefGetAttUnknown,
        severity: Severity::Error,
        summary: "Fn::GetAtt (or ${X.Attr}) on an unknown resource",
        what: "`Fn::GetAtt` (and `${X.Attr}` in `Fn::Sub`) must name a resource of the template.",
        fix: "declare it or fix the name.",
        source: "CloudFormation intrinsic functions reference",
        check: Check::With(Code::RefUnknown),
    },
    Rule {
        code: Code::RefGetAttAttribute,
        severity: Severity::Error,
        summary: "Fn::GetAtt attribute the resource type does not have",
        what: "the attribute must exist on the type. Known attributes: the registry schema's `readOnlyProperties` (dotted for nested ones) plus, leniently, any top-level property (several types expose properties as attributes). Custom resources, nested stacks and SAM types are open-ended and never checked.",
        fix: "use a documented attribute; the message lists them.",
        source: "registry schema `readOnlyProperties`",
        check: Check::With(Code::RefUnknown),
    },
    Rule {
        code: Code::RefDependsOn,
        severity: Severity::Error,
        summary: "DependsOn an unknown resource",
        what: "`DependsOn` must name resources of the template.",
        fix: "fix or remove the entry.",
        source: "CloudFormation DependsOn attribute",
        check: Check::With(Code::RefUnknown),
    },
    Rule {
        code: Code::RefSubVariable,
        severity: Severity::Error,
        summary: "Fn::Sub variable that is not a parameter, resource, pseudo parameter or local",
        what: "every `${Name}` in `Fn::Sub` must be a parameter, resource, pseudo parameter or a key of the Sub variable map (`${!Literal}` is a literal).",
        fix: "declare it, add it to the variable map, or escape it.",
        source: "CloudFormation Fn::Sub",
        check: Check::With(Code::RefUnknown),
    },
    Rule {
        code: Code::RefCondition,
        severity: Severity::Error,
        summary: "unknown condition name",
        what: "condition names (`Condition:` on resources/outputs, `Fn::If`, `Condition` in Conditions) must be declared under `Conditions`.",
        fix: "declare it or fix the name.",
        source: "CloudFormation Conditions",
        check: Check::With(Code::RefUnknown),
    },
    Rule {
        code: Code::RefMapping,
        severity: Severity::Error,
        summary: "Fn::FindInMap on an unknown mapping",
        what: "`Fn::FindInMap` must name a declared mapping.",
        fix: "declare it or fix the name.",
        source: "CloudFormation Fn::FindInMap",
        check: Check::With(Code::RefUnknown),
    },
];
