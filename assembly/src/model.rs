//! The assembly's data: per stack its template and everything `aws cloudformation deploy` needs,
//! the extra files with their placeholders, and the runbook spec. `manifest.json` is this model
//! serialized (templates and file contents live in their own files beside it).

use std::collections::BTreeMap;
use std::sync::Arc;

use formwork_constructs::core::App;
use formwork_constructs::core::parameter::Lookup;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::runbook::RunbookSpec;

/// The version of `manifest.json` this crate writes and reads.
pub const FORMAT: u32 = 2;

/// Everything synth produced for one app or blueprint: what `diff` and `deploy` read.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assembly {
    /// Version of this format ([`FORMAT`]).
    pub format: u32,
    /// What produced the assembly.
    pub source: Source,
    /// How values cross stacks.
    pub cross_stack: CrossStack,
    /// Stacks in deploy order.
    pub stacks: Vec<StackArtifact>,
    /// Other files of the out dir (Kubernetes manifests, Helm values, the runbook).
    pub files: Vec<FileArtifact>,
    /// `${Name}` placeholders in the files and the stack output that fills each.
    pub placeholders: BTreeMap<String, OutputRef>,
    /// The runbook (`DEPLOY.md`) of a blueprint or of an app that defines one.
    pub runbook: Option<RunbookSpec>,
    /// The app the stacks were synthesized from, in memory (synth validates its typed L1
    /// values); `None` for an assembly read from an out dir.
    #[serde(skip)]
    #[schemars(skip)]
    pub app: Option<Arc<App>>,
}

/// What produced an assembly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Source {
    /// A built-in blueprint, from a config file.
    Blueprint {
        /// The blueprint name (`grpc-eks-edge`).
        name: String,
    },
    /// A user's own app (Rust code calling `formwork::run`).
    App {
        /// The app's name.
        name: String,
    },
}

impl Source {
    /// The blueprint or app name.
    pub fn name(&self) -> &str {
        match self {
            Source::Blueprint { name } | Source::App { name } => name,
        }
    }
}

/// How values cross stacks (see `formwork_constructs::core::CrossStackMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CrossStack {
    /// The consumer reads the producer's output with `Fn::GetStackOutput`.
    GetStackOutput,
    /// The consumer takes a parameter that `formwork deploy` fills from the producer's output.
    Parameters,
}

/// One stack: one `aws cloudformation deploy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StackArtifact {
    /// Stack name (`--stack-name`).
    pub name: String,
    /// Region (`--region`); `null` when the stack is environment-agnostic.
    pub region: Option<String>,
    /// The template file deploy sends (minified JSON), relative to the out dir.
    pub template: String,
    /// The same content as YAML, for review.
    pub template_yaml: String,
    /// Size of the body deploy sends (minified JSON), in bytes. Above 51,200 deploy needs an
    /// S3 bucket.
    pub body_bytes: usize,
    /// Number of resources.
    pub resources: usize,
    /// `--capabilities` the stack needs.
    pub capabilities: Vec<String>,
    /// `--tags`.
    pub tags: BTreeMap<String, String>,
    /// Parameters and where each value comes from.
    pub parameters: Vec<ParameterSpec>,
    /// Outputs, with the stacks that read each.
    pub outputs: Vec<OutputSpec>,
    /// Outputs of earlier stacks this stack reads.
    pub reads: Vec<StackRead>,
    /// The template, in memory (not part of `manifest.json`: it is the `template` file).
    #[serde(skip)]
    #[schemars(skip)]
    pub body: Value,
}

/// A stack parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParameterSpec {
    /// Parameter id.
    pub name: String,
    /// Where the value comes from.
    pub source: ValueSource,
    /// The value is a secret (`NoEcho`): never printed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_echo: bool,
}

/// Where a parameter's value comes from at deploy time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ValueSource {
    /// The parameter's own default.
    Default,
    /// An output of a stack deployed earlier.
    StackOutput {
        /// Producer stack name.
        stack: String,
        /// Output id in that stack.
        output: String,
    },
    /// Looked up by `formwork deploy` (and shown as a command in the runbook).
    Lookup {
        /// What is looked up.
        lookup: Lookup,
    },
    /// Must be given by the operator (`--parameter Stack.Key=Value`).
    Operator {
        /// What to give, from the parameter's description.
        hint: String,
    },
}

/// A stack output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// Output id.
    pub name: String,
    /// Stacks of this assembly that read it (a weak reference with `Fn::GetStackOutput`: diff
    /// and deploy refuse to remove or change it while they do).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_by: Vec<String>,
}

/// An output of another stack that a stack reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StackRead {
    /// Producer stack.
    pub stack: String,
    /// Its output.
    pub output: String,
    /// The parameter that receives it in the parameters mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

/// A stack output, as a source of a value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputRef {
    /// Producer stack.
    pub stack: String,
    /// Output id.
    pub output: String,
}

impl OutputRef {
    /// `stack`'s output `output`.
    pub fn new(stack: impl Into<String>, output: impl Into<String>) -> OutputRef {
        OutputRef {
            stack: stack.into(),
            output: output.into(),
        }
    }
}

/// What a file of the out dir is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// A Kubernetes manifest (`kubectl apply`), under `k8s/`.
    K8sManifest,
    /// Helm values, under `helm/`.
    HelmValues,
    /// The runbook, `DEPLOY.md`.
    Runbook,
}

/// A file of the out dir besides the templates and `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileArtifact {
    /// Path relative to the out dir.
    pub path: String,
    /// What it is.
    pub kind: FileKind,
    /// The text (not part of `manifest.json`: it is the file).
    #[serde(skip)]
    #[schemars(skip)]
    pub contents: String,
}

impl Assembly {
    /// A stack by name.
    pub fn stack(&self, name: &str) -> Option<&StackArtifact> {
        self.stacks.iter().find(|s| s.name == name)
    }

    /// The Region of a stack (empty when the stack is environment-agnostic or unknown).
    pub fn region_of(&self, stack: &str) -> &str {
        self.stack(stack)
            .and_then(|s| s.region.as_deref())
            .unwrap_or("")
    }
}
