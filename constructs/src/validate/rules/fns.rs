//! Intrinsic function shapes: FW-FN-001…003. CloudFormation rejects a malformed intrinsic
//! (`Template error: …`) before it looks at any resource; the schema check masks intrinsics, so
//! their arguments are checked here, everywhere in resources, outputs and conditions.

use serde_json::{Map, Value};

use super::Ctx;
use crate::validate::diagnostic::{Severity, escape_segment};
use crate::validate::registry::{Check, Code, Rule};
use crate::validate::{LANGUAGE_EXTENSIONS, has_transform};

/// A one-key object whose key is an intrinsic function (`Ref`, `Fn::…`): what CloudFormation
/// evaluates.
fn is_intrinsic(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.len() == 1
            && m.keys()
                .next()
                .is_some_and(|k| k == "Ref" || k.starts_with("Fn::") || k == "Condition")
    })
}

/// A string, or an intrinsic that yields one.
fn stringish(v: &Value) -> bool {
    v.is_string() || is_intrinsic(v)
}

/// A list, or an intrinsic that yields one.
fn listish(v: &Value) -> bool {
    v.is_array() || is_intrinsic(v)
}

/// What is wrong with `Fn::GetAtt`'s argument, if anything.
/// (With `AWS::LanguageExtensions`, the logical id may be computed, e.g. `!Sub "Queue${Name}"`
/// inside `Fn::ForEach`.)
fn getatt_shape(arg: &Value, extensions: bool) -> Option<String> {
    match arg {
        Value::String(s) => match s.split_once('.') {
            Some((r, a)) if !r.is_empty() && !a.is_empty() => None,
            _ => Some(format!(
                "Fn::GetAtt {s:?} names no attribute: the string form is \"LogicalId.Attribute\""
            )),
        },
        Value::Array(a) => match a.as_slice() {
            [id, attr]
                if (id.as_str().is_some_and(|r| !r.is_empty())
                    || extensions && is_intrinsic(id))
                    && (attr.is_string() || is_ref(attr)) =>
            {
                None
            }
            [_, _] => Some(
                "Fn::GetAtt takes [LogicalId, AttributeName]: the logical id a string, the \
                 attribute a string or a Ref"
                    .to_owned(),
            ),
            _ => Some(format!(
                "Fn::GetAtt takes 2 elements [LogicalId, AttributeName], not {}",
                a.len()
            )),
        },
        other => Some(format!(
            "Fn::GetAtt takes [LogicalId, AttributeName] or \"LogicalId.Attribute\", not {}",
            kind(other)
        )),
    }
}

fn is_ref(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| m.len() == 1 && m.contains_key("Ref"))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// `Fn::GetStackOutput: {StackName, OutputName, Region?, RoleArn?}`.
fn stack_output_shape(arg: &Value) -> Option<String> {
    let Some(m) = arg.as_object() else {
        return Some(format!(
            "Fn::GetStackOutput takes a mapping {{StackName, OutputName, Region, RoleArn}}, not {}",
            kind(arg)
        ));
    };
    let missing: Vec<&str> = ["StackName", "OutputName"]
        .into_iter()
        .filter(|k| !m.contains_key(*k))
        .collect();
    let unknown: Vec<&str> = m
        .keys()
        .map(String::as_str)
        .filter(|k| !["StackName", "OutputName", "Region", "RoleArn"].contains(k))
        .collect();
    if !missing.is_empty() {
        return Some(format!(
            "Fn::GetStackOutput without {}",
            missing.join(" and ")
        ));
    }
    if !unknown.is_empty() {
        return Some(format!(
            "Fn::GetStackOutput has unknown keys {} (StackName, OutputName, Region, RoleArn)",
            unknown.join(", ")
        ));
    }
    m.values().all(stringish).then_some(()).map_or_else(
        || Some("Fn::GetStackOutput values must be strings".to_owned()),
        |()| None,
    )
}

fn sub_shape(arg: &Value) -> Option<String> {
    match arg {
        Value::String(_) => None,
        Value::Array(a) => match a.as_slice() {
            [Value::String(_), Value::Object(_)] => None,
            [_, _] => Some(
                "Fn::Sub takes [String, {Variable: Value}]: the template a string, the variables \
                 a mapping"
                    .to_owned(),
            ),
            _ => Some(format!(
                "Fn::Sub takes a string or [String, {{Variable: Value}}], not a list of {}",
                a.len()
            )),
        },
        other => Some(format!(
            "Fn::Sub takes a string or [String, {{Variable: Value}}], not {}",
            kind(other)
        )),
    }
}

fn join_shape(arg: &Value) -> Option<String> {
    match arg.as_array().map(Vec::as_slice) {
        Some([Value::String(_), list]) if listish(list) => None,
        Some([_, _]) => Some(
            "Fn::Join takes [Delimiter, [Values…]]: the delimiter a string, the values a list"
                .to_owned(),
        ),
        _ => Some(format!(
            "Fn::Join takes 2 elements [Delimiter, [Values…]], not {}",
            match arg {
                Value::Array(a) => format!("{} elements", a.len()),
                other => kind(other).to_owned(),
            }
        )),
    }
}

fn if_shape(arg: &Value) -> Option<String> {
    match arg.as_array().map(Vec::as_slice) {
        Some([Value::String(_), _, _]) => None,
        Some([_, _, _]) => Some("Fn::If's first element must be a condition name".to_owned()),
        Some(a) => Some(format!(
            "Fn::If takes 3 elements [Condition, ValueIfTrue, ValueIfFalse], not {}",
            a.len()
        )),
        None => Some(format!(
            "Fn::If takes [Condition, ValueIfTrue, ValueIfFalse], not {}",
            kind(arg)
        )),
    }
}

fn select_shape(arg: &Value) -> Option<String> {
    let Some([index, list]) = arg.as_array().map(Vec::as_slice) else {
        return Some("Fn::Select takes 2 elements [Index, [Values…]]".to_owned());
    };
    let index_ok = match index {
        Value::Number(n) => n.as_u64().is_some(),
        Value::String(s) => s.trim().parse::<u64>().is_ok(),
        other => is_intrinsic(other),
    };
    if !index_ok {
        return Some(format!(
            "Fn::Select index {index} is not a non-negative integer"
        ));
    }
    (!listish(list)).then(|| {
        format!(
            "Fn::Select's second element must be a list, not {}",
            kind(list)
        )
    })
}

fn find_in_map_shape(arg: &Value, extensions: bool) -> Option<String> {
    let Some(a) = arg.as_array() else {
        return Some(format!(
            "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey], not {}",
            kind(arg)
        ));
    };
    let default_ok = extensions
        && a.len() == 4
        && a[3]
            .as_object()
            .is_some_and(|m| m.len() == 1 && m.contains_key("DefaultValue"));
    if a.len() != 3 && !default_ok {
        return Some(format!(
            "Fn::FindInMap takes 3 elements [MapName, TopLevelKey, SecondLevelKey]{}, not {}",
            if extensions {
                " (and an optional {DefaultValue: …})"
            } else {
                ""
            },
            a.len()
        ));
    }
    a.iter().take(3).all(stringish).then_some(()).map_or_else(
        || Some("Fn::FindInMap's map name and keys must be strings".to_owned()),
        |()| None,
    )
}

struct Walker {
    extensions: bool,
    found: Vec<(Code, Option<String>, String, String)>,
}

impl Walker {
    fn check(&mut self, id: Option<&str>, ptr: &str, key: &str, arg: &Value) {
        let (code, what) = match key {
            "Ref" => (
                Code::FnReference,
                (!arg.is_string())
                    .then(|| format!("Ref takes a name (a string), not {}", kind(arg))),
            ),
            "Fn::GetAtt" => (Code::FnReference, getatt_shape(arg, self.extensions)),
            "Fn::GetStackOutput" => (Code::FnReference, stack_output_shape(arg)),
            "Fn::Sub" => (Code::FnText, sub_shape(arg)),
            "Fn::Join" => (Code::FnText, join_shape(arg)),
            "Fn::If" => (Code::FnChoice, if_shape(arg)),
            "Fn::Select" => (Code::FnChoice, select_shape(arg)),
            "Fn::FindInMap" => (Code::FnChoice, find_in_map_shape(arg, self.extensions)),
            _ => return,
        };
        if let Some(msg) = what {
            self.found
                .push((code, id.map(str::to_owned), ptr.to_owned(), msg));
        }
    }

    fn walk(&mut self, v: &Value, id: Option<&str>, ptr: &mut String) {
        match v {
            Value::Object(m) => {
                if m.len() == 1
                    && let Some((k, arg)) = m.iter().next()
                {
                    self.check(id, ptr, k, arg);
                }
                self.children(m, id, ptr);
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let len = ptr.len();
                    ptr.push('/');
                    ptr.push_str(&i.to_string());
                    self.walk(child, id, ptr);
                    ptr.truncate(len);
                }
            }
            _ => {}
        }
    }

    fn children(&mut self, m: &Map<String, Value>, id: Option<&str>, ptr: &mut String) {
        for (k, child) in m {
            let len = ptr.len();
            ptr.push('/');
            ptr.push_str(&escape_segment(k));
            self.walk(child, id, ptr);
            ptr.truncate(len);
        }
    }
}

/// One pass over the template for all three codes.
fn intrinsic_shapes(ctx: &mut Ctx<'_>) {
    let mut w = Walker {
        extensions: has_transform(ctx.root, LANGUAGE_EXTENSIONS),
        found: Vec::new(),
    };
    for (id, r) in ctx.resources {
        if let Some(r) = r.as_object() {
            w.children(r, Some(id), &mut String::new());
        }
    }
    for section in ["Outputs", "Conditions"] {
        if let Some(v) = ctx.root.get(section) {
            w.walk(v, None, &mut format!("/{section}"));
        }
    }
    for (code, id, ptr, msg) in std::mem::take(&mut w.found) {
        ctx.emit(
            code,
            id.as_deref(),
            ptr,
            msg,
            "write the function in the form the intrinsic function reference gives",
        );
    }
}

/// The rules of this family (see [`crate::validate::registry`]).
pub(crate) const RULES: &[Rule] = &[
    Rule {
        code: Code::FnReference,
        severity: Severity::Error,
        summary: "malformed Ref, Fn::GetAtt or Fn::GetStackOutput",
        what: "`Ref` takes a name (a string). `Fn::GetAtt` takes `[LogicalId, AttributeName]` (the attribute a string or a `Ref`) or `\"LogicalId.Attribute\"`; `!GetAtt Topic` (no attribute), `[Topic]`, three elements, a mapping, a number or null are rejected (`Template error: every Fn::GetAtt object requires two non-empty parameters`). `Fn::GetStackOutput` takes `{StackName, OutputName, Region?, RoleArn?}`. Checked everywhere in resources, outputs and conditions; cfn-lint E1010, E1020, E1033.",
        fix: "write the function in its documented form, e.g. `!GetAtt Topic.TopicName` or `Fn::GetAtt: [Topic, TopicName]`.",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getatt.html; https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html",
        check: Check::Fn(intrinsic_shapes),
    },
    Rule {
        code: Code::FnText,
        severity: Severity::Error,
        summary: "malformed Fn::Sub or Fn::Join",
        what: "`Fn::Sub` takes a string or `[String, {Variable: Value}]`; `Fn::Join` takes `[Delimiter, [Values…]]` with a string delimiter and a list (or a function returning one). Anything else is a template error. cfn-lint E1019, E1022.",
        fix: "write `!Sub 'text ${Var}'`, `!Sub ['text ${Var}', {Var: value}]`, or `!Join [',', [a, b]]`.",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html; https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-join.html",
        check: Check::With(Code::FnReference),
    },
    Rule {
        code: Code::FnChoice,
        severity: Severity::Error,
        summary: "malformed Fn::If, Fn::Select or Fn::FindInMap",
        what: "`Fn::If` takes exactly `[ConditionName, ValueIfTrue, ValueIfFalse]` (the name a string; unknown names are FW-REF-006); `Fn::Select` takes `[Index, [Values…]]` with a non-negative integer index; `Fn::FindInMap` takes `[MapName, TopLevelKey, SecondLevelKey]` (plus `{DefaultValue: …}` with `AWS::LanguageExtensions`). cfn-lint E1028, E1017, E1011.",
        fix: "give the function the number and kind of arguments the reference lists.",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-conditions.html; https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-select.html; https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-findinmap.html",
        check: Check::With(Code::FnReference),
    },
];
