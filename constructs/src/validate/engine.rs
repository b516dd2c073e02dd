//! The rules found by the engine itself rather than by a rule function: load errors, template
//! structure and registry-schema validation. Their checks live where the work is done.

use super::diagnostic::Severity;
use super::registry::{Check, Code, Rule};

/// Load errors: the file cannot be read or parsed (`load.rs`, `json.rs`).
pub(crate) const LOAD: &[Rule] = &[
    Rule {
        code: Code::LoadUnreadable,
        severity: Severity::Error,
        summary: "template file unreadable or larger than 16 MiB",
        what: "the file cannot be read, or is larger than 16 MiB (CloudFormation's own limit is 1 MB from S3, 51,200 bytes inline); the size is checked before reading.",
        fix: "check the path; split the template.",
        source: "CloudFormation quotas (template body size)",
        check: Check::Engine("`LoadError::Io`/`TooLarge` in load.rs"),
    },
    Rule {
        code: Code::LoadSyntax,
        severity: Severity::Error,
        summary: "JSON/YAML syntax error, unknown YAML tag, nesting deeper than 1000, or not a mapping",
        what: "the template does not parse. Reported at `file:line:col` of the problem (an unknown tag such as `!Reff` at the tag). JSON is read by an iterative parser (linear in any depth) that refuses nesting deeper than 1000 arrays/objects, far more than CloudFormation templates use (42 nested `Fn::Join` are ~130 levels). Load errors are counted in the summary and present in `--format json` (with `line`, `column`).",
        fix: "fix the syntax at the position given; use the short forms CloudFormation defines (`!Ref`, `!GetAtt`, `!Sub`, …).",
        source: "CloudFormation template formats; YAML short-form intrinsic functions",
        check: Check::Engine("the JSON/YAML parsers in load.rs and json.rs"),
    },
    Rule {
        code: Code::LoadNotUtf8,
        severity: Severity::Error,
        summary: "template not UTF-8 text (or binary)",
        what: "CloudFormation reads templates as UTF-8; a Latin-1 byte or a NUL byte (binary file) is reported with its byte offset and `line:col`.",
        fix: "save the template as UTF-8.",
        source: "CloudFormation template formats",
        check: Check::Engine("the UTF-8 check in load.rs"),
    },
    Rule {
        code: Code::LoadDuplicateKey,
        severity: Severity::Error,
        summary: "duplicate key in one JSON object or YAML mapping",
        what: "a repeated key (two `Resources` sections, a property written twice) silently loses one value in most JSON readers; CloudFormation refuses YAML duplicates. Reported at the second key (JSON: exact position; YAML: the second line that starts with the key).",
        fix: "remove or merge one of the two.",
        source: "CloudFormation template formats; cfn-lint E0000",
        check: Check::Engine("the duplicate-key checks in load.rs and json.rs"),
    },
];

/// Template structure and registry-schema validation (`mod.rs`, `schema.rs`).
pub(crate) const SCHEMA: &[Rule] = &[
    Rule {
        code: Code::SchemaInvalid,
        severity: Severity::Error,
        summary: "property value invalid against the registry schema",
        what: "each resource's `Properties` is validated against the CloudFormation registry schema of its type (cfn-lint 1.58.0's copy, embedded): unknown properties, types, enums, patterns, ranges, `required`, `dependentRequired`, and cfn-lint's `requiredXor`/`requiredOr`/`dependentExcluded`. Intrinsics stand for any value of the right place (masked; errors on or under them, and combinator errors above them, are dropped); `Ref AWS::NoValue` removes the property; both branches of `Fn::If` are checked.",
        fix: "fix the value as the message says (the pointer shows where).",
        source: "FACTS.md §10; VALIDATION-PROBE.md; cfn-lint schemas",
        check: Check::Engine("`schema::validate_resource`"),
    },
    Rule {
        code: Code::SchemaUnknownType,
        severity: Severity::Warning,
        summary: "resource type without a registry schema (not checked)",
        what: "the type has no schema in the embedded bundle (all 1,854 us-east-1 types): a typo, a third-party/private type, or a type newer than the bundle. A warning, never an error. `Custom::*` resources have no schema by design and are not reported.",
        fix: "check the type name; run `scripts/update-schema-bundle` after bumping cfn-lint.",
        source: r#"issue text ("a type that truly has no schema as a warning")"#,
        check: Check::Engine("`schema::validate_resource`"),
    },
    Rule {
        code: Code::SchemaReadOnly,
        severity: Severity::Error,
        summary: "read-only property set",
        what: "properties listed in the schema's `readOnlyProperties` (ARNs, ids…) are outputs, not inputs; CloudFormation rejects them.",
        fix: "remove the property; read it with `Fn::GetAtt`.",
        source: "registry schema `readOnlyProperties`",
        check: Check::Engine("`schema::validate_resource`"),
    },
    Rule {
        code: Code::SchemaStructure,
        severity: Severity::Error,
        summary: "malformed template structure (Resources, Type)",
        what: "a template needs a non-empty `Resources` mapping; every resource needs a string `Type`; logical ids are alphanumeric, ≤255 characters; `Parameters`, `Mappings`, `Conditions`, `Outputs`, `Metadata` and `Rules` are mappings; `DependsOn` is a logical id or a list of them.",
        fix: "fix the structure.",
        source: "CloudFormation template anatomy",
        check: Check::Engine("`validate::structure` (mod.rs)"),
    },
];
