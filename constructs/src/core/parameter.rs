//! Template parameters, outputs, and where each parameter's value comes from at deploy time.

use serde_json::{Map, Value, json};

use super::expr::Expr;

/// A template parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// `String`, `Number`, `List<Number>`, `CommaDelimitedList`, `AWS::EC2::VPC::Id`, …
    pub type_: String,
    /// Shown in the console and in `DEPLOY.md`.
    pub description: Option<String>,
    /// Default value. Default: none (the value must be given at deploy).
    pub default: Option<Value>,
    /// Allowed values. Default: any.
    pub allowed_values: Vec<Value>,
    /// Regex the value must match. Default: none.
    pub allowed_pattern: Option<String>,
    /// Message shown when a constraint fails.
    pub constraint_description: Option<String>,
    /// Minimum length (String). Default: none.
    pub min_length: Option<u32>,
    /// Maximum length (String). Default: none.
    pub max_length: Option<u32>,
    /// Mask the value in the console and API. Default: false.
    pub no_echo: bool,
    /// How `formwork deploy` finds the value when none is given. Default: none (the default
    /// value, else the operator).
    pub lookup: Option<Lookup>,
}

impl Parameter {
    /// A `String` parameter.
    pub fn string(description: impl Into<String>) -> Parameter {
        Parameter::of_type("String", description)
    }

    /// A parameter of any CloudFormation parameter type.
    pub fn of_type(type_: impl Into<String>, description: impl Into<String>) -> Parameter {
        Parameter {
            type_: type_.into(),
            description: Some(description.into()),
            default: None,
            allowed_values: Vec::new(),
            allowed_pattern: None,
            constraint_description: None,
            min_length: None,
            max_length: None,
            no_echo: false,
            lookup: None,
        }
    }

    /// Sets the default value.
    pub fn with_default(mut self, v: impl Into<Value>) -> Parameter {
        self.default = Some(v.into());
        self
    }

    /// Sets the allowed pattern and the message shown when it fails.
    pub fn with_pattern(
        mut self,
        pattern: impl Into<String>,
        message: impl Into<String>,
    ) -> Parameter {
        self.allowed_pattern = Some(pattern.into());
        self.constraint_description = Some(message.into());
        self
    }

    pub(crate) fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("Type".into(), json!(self.type_));
        if let Some(d) = &self.description {
            m.insert("Description".into(), json!(d));
        }
        if let Some(d) = &self.default {
            m.insert("Default".into(), d.clone());
        }
        if !self.allowed_values.is_empty() {
            m.insert(
                "AllowedValues".into(),
                Value::Array(self.allowed_values.clone()),
            );
        }
        if let Some(p) = &self.allowed_pattern {
            m.insert("AllowedPattern".into(), json!(p));
        }
        if let Some(c) = &self.constraint_description {
            m.insert("ConstraintDescription".into(), json!(c));
        }
        if let Some(n) = self.min_length {
            m.insert("MinLength".into(), json!(n));
        }
        if let Some(n) = self.max_length {
            m.insert("MaxLength".into(), json!(n));
        }
        if self.no_echo {
            m.insert("NoEcho".into(), json!(true));
        }
        Value::Object(m)
    }
}

/// Marker for `Ref` to a template parameter.
pub enum ParameterRef {}

/// A value `formwork deploy` looks up itself for a parameter without a default (the runbook
/// shows the command), so that the operator does not have to.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Lookup {
    /// The id (`pl-…`) of an AWS-managed prefix list in the stack's Region, by name
    /// (`aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=<name>`).
    ManagedPrefixList {
        /// The prefix list name, e.g. `com.amazonaws.global.cloudfront.origin-facing`.
        name: String,
    },
    /// A random secret of `length` letters and digits that `formwork deploy` generates when the
    /// stack does not have the parameter yet (first deploy, or a template that adds it); later
    /// deploys pass nothing, so CloudFormation keeps the previous value (`UsePreviousValue`).
    /// Give the parameter explicitly to rotate it. The parameter should be `NoEcho`.
    GeneratedSecret {
        /// Number of characters (from `[A-Za-z0-9]`, about 5.95 bits each).
        length: u32,
    },
}

/// A stack output.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// The value.
    pub value: Expr,
    /// Description.
    pub description: Option<String>,
    /// Export name (same-Region cross-stack references). Default: not exported.
    pub export_name: Option<Expr>,
    /// Condition that gates the output.
    pub condition: Option<String>,
}

impl Output {
    pub(crate) fn to_value(&self) -> Value {
        let mut om = Map::new();
        if let Some(d) = &self.description {
            om.insert("Description".into(), json!(d));
        }
        if let Some(c) = &self.condition {
            om.insert("Condition".into(), json!(c));
        }
        om.insert("Value".into(), self.value.to_value());
        if let Some(x) = &self.export_name {
            om.insert("Export".into(), json!({"Name": x.to_value()}));
        }
        Value::Object(om)
    }

    /// An output with a description.
    pub fn new(value: impl Into<Expr>, description: impl Into<String>) -> Output {
        Output {
            value: value.into(),
            description: Some(description.into()),
            export_name: None,
            condition: None,
        }
    }
}
