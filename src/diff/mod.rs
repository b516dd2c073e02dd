//! `formwork diff`: what changes between two syntheses (or a deployed template and a new one),
//! and what CloudFormation will do about it — update in place, replace, or (for a changed
//! logical id whose resource is otherwise identical) a rename that stack refactoring performs
//! without replacement.
//!
//! Everything here returns data; rendering lives in [`crate::diff_render`].
//!
//! Files: this module (the report types, reading the two sides), `template.rs` (one stack's
//! resources, sections and replacements), `renames.rs` (logical-id renames and the refactor
//! template), `reads.rs` (cross-stack reads: outputs a deployed consumer reads that change).

mod files;
mod knock_on;
mod reads;
mod renames;
mod template;

use std::path::Path;

use formwork_assembly::Assembly;
use formwork_constructs::validate::load_file;
use serde::Serialize;
use serde_json::{Map, Value};

pub use files::{FileChange, FileStatus, diff_files};
pub use knock_on::KnockOn;
pub use reads::{BrokenRead, broken_reads, template_reads};
pub use renames::{refactor_template, rewrite_refs};
pub use template::diff_templates;

/// Resource types that hold data: replacing or deleting one loses it (unless retained).
/// The one place this list lives.
pub const STATEFUL_TYPES: &[&str] = &[
    "AWS::Backup::BackupVault",
    "AWS::Cognito::UserPool",
    "AWS::DocDB::DBCluster",
    "AWS::DocDB::DBInstance",
    "AWS::DynamoDB::GlobalTable",
    "AWS::DynamoDB::Table",
    "AWS::EC2::Volume",
    "AWS::ECR::Repository",
    "AWS::EFS::FileSystem",
    "AWS::EKS::Cluster",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::ServerlessCache",
    "AWS::Elasticsearch::Domain",
    "AWS::FSx::FileSystem",
    "AWS::KMS::Key",
    "AWS::Kinesis::Stream",
    "AWS::Logs::LogGroup",
    "AWS::MemoryDB::Cluster",
    "AWS::Neptune::DBCluster",
    "AWS::Neptune::DBInstance",
    "AWS::OpenSearchService::Domain",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
    "AWS::S3::Bucket",
    "AWS::S3Express::DirectoryBucket",
    "AWS::SQS::Queue",
    "AWS::SecretsManager::Secret",
];

/// Whether `type_name` holds data (see [`STATEFUL_TYPES`]).
pub fn is_stateful(type_name: &str) -> bool {
    STATEFUL_TYPES.contains(&type_name)
}

/// Why a side of a diff could not be read.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("{0}")]
pub struct DiffError(pub String);

/// One side of a diff: named templates in deploy order.
#[derive(Debug, Clone, Default)]
pub struct Side {
    /// `(stack name, template)`.
    pub stacks: Vec<(String, Value)>,
    /// Whether it came from a single template file (then the two sides pair regardless of name).
    pub single_file: bool,
}

/// Reads an out dir (`manifest.json` + templates) or a single template file (JSON or YAML).
pub fn load_side(path: &Path) -> Result<Side, DiffError> {
    if path.is_dir() {
        let asm = Assembly::read(path).map_err(|e| DiffError(e.to_string()))?;
        Ok(Side {
            stacks: asm.stacks.into_iter().map(|s| (s.name, s.body)).collect(),
            single_file: false,
        })
    } else {
        let (t, _) = load_file(path).map_err(|e| DiffError(e.to_string()))?;
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = [
            ".template.json",
            ".template.yaml",
            ".template.yml",
            ".json",
            ".yaml",
            ".yml",
        ]
        .iter()
        .find_map(|sfx| file.strip_suffix(sfx))
        .unwrap_or(&file)
        .to_owned();
        Ok(Side {
            stacks: vec![(name, t)],
            single_file: true,
        })
    }
}

/// What happens to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Created.
    Add,
    /// Deleted.
    Remove,
    /// Updated in place.
    Update,
    /// Possibly replaced (a `conditionalCreateOnlyProperties` change).
    MayReplace,
    /// Replaced: a new physical resource, the old one deleted.
    Replace,
}

impl Action {
    /// Short word for reports.
    pub fn word(self) -> &'static str {
        match self {
            Action::Add => "add",
            Action::Remove => "remove",
            Action::Update => "update",
            Action::MayReplace => "may replace",
            Action::Replace => "replace",
        }
    }
}

/// The risk to a stateful resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Its data will be deleted (no Retain/Snapshot policy).
    DataLoss,
    /// Replaced or removed, but the policy keeps the old resource (orphaned, still billed).
    Retained,
}

/// One changed value inside a resource (or a template section entry).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueChange {
    /// JSON pointer within the resource (`/Properties/RepositoryName`) or entry.
    pub pointer: String,
    /// Old value (absent = added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// New value (absent = removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// What this change alone causes.
    pub action: Action,
}

/// A resource that changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceChange {
    /// Logical id.
    pub logical_id: String,
    /// Resource type (the new one when it changed).
    #[serde(rename = "type")]
    pub type_name: String,
    /// The old type when `Type` changed (that replaces the resource).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_type: Option<String>,
    /// The overall action.
    pub action: Action,
    /// Changed values, for updates and replacements.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ValueChange>,
    /// Whether the type holds data.
    pub stateful: bool,
    /// For a stateful resource that is replaced or removed: data loss or retained.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<Risk>,
    /// For a retained risk, the policy that keeps the old resource (`DeletionPolicy: Retain`,
    /// `UpdateReplacePolicy: Snapshot`…): a retained resource is orphaned, not deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept_by: Option<String>,
    /// References to replaced resources (this stack's, or another stack's outputs) and what each
    /// causes here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub knock_on: Vec<KnockOn>,
    /// Why CloudFormation cannot carry out this change (the deploy fails and rolls back), when
    /// it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub will_fail: Option<String>,
    /// Whether a knock-on replacement puts it into another VPC (internal to propagation).
    #[serde(skip)]
    pub moves_vpc: bool,
    /// Whether the registry schema of the type was known (unknown types: changes are updates).
    pub schema_known: bool,
}

/// A logical id changed while the resource stayed the same: stack refactoring moves it without
/// replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rename {
    /// Old logical id.
    pub from: String,
    /// New logical id.
    pub to: String,
    /// Resource type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Whether the type holds data.
    pub stateful: bool,
}

/// A change in a named template section (Parameters, Outputs, Exports, Conditions, Mappings…).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryChange {
    /// Entry name (export names: the export name, rendered if it is an intrinsic).
    pub name: String,
    /// Add, remove or update.
    pub action: Action,
    /// Old value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// New value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// For updates: what changed inside the entry (pointers relative to the entry).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ValueChange>,
}

/// Whether a stack is new, gone or present on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StackStatus {
    /// Only in NEW.
    Added,
    /// Only in OLD.
    Removed,
    /// In both.
    Both,
}

/// Everything that changes in one stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackDiff {
    /// Stack name.
    pub name: String,
    /// Added, removed or both.
    pub status: StackStatus,
    /// Changed resources, sorted by logical id.
    pub resources: Vec<ResourceChange>,
    /// Renamed resources, sorted by old id.
    pub renames: Vec<Rename>,
    /// `Parameters` changes.
    pub parameters: Vec<EntryChange>,
    /// `Outputs` changes.
    pub outputs: Vec<EntryChange>,
    /// Export name changes (an export removed while another stack imports it fails the deploy).
    pub exports: Vec<EntryChange>,
    /// `Conditions` changes.
    pub conditions: Vec<EntryChange>,
    /// `Mappings` changes.
    pub mappings: Vec<EntryChange>,
    /// Other top-level sections (Description, Transform, Metadata, Rules).
    pub other: Vec<EntryChange>,
}

impl StackDiff {
    /// Whether anything changes.
    pub fn has_changes(&self) -> bool {
        self.status != StackStatus::Both
            || !self.resources.is_empty()
            || !self.renames.is_empty()
            || !self.parameters.is_empty()
            || !self.outputs.is_empty()
            || !self.exports.is_empty()
            || !self.conditions.is_empty()
            || !self.mappings.is_empty()
            || !self.other.is_empty()
    }

    /// Number of resources with the given action.
    pub fn count(&self, action: Action) -> usize {
        self.resources.iter().filter(|r| r.action == action).count()
    }

    /// Changes that cannot succeed (the deploy would fail halfway).
    pub fn will_fail(&self) -> impl Iterator<Item = &ResourceChange> {
        self.resources.iter().filter(|r| r.will_fail.is_some())
    }

    /// Stateful resources replaced (or possibly replaced) or removed.
    pub fn stateful_at_risk(&self) -> impl Iterator<Item = &ResourceChange> {
        self.resources.iter().filter(|r| r.risk.is_some())
    }
}

/// The diff of two sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// Stacks in NEW's order, then stacks only in OLD.
    pub stacks: Vec<StackDiff>,
    /// Outputs that a stack of OLD reads with `Fn::GetStackOutput` and the change removes or
    /// changes (`formwork deploy` refuses them unless `--allow-output-change` names them).
    pub broken_reads: Vec<BrokenRead>,
    /// Changed files of the out dir besides the templates (`DEPLOY.md`, `k8s/`, `helm/`); empty
    /// unless both sides are out dirs.
    pub files: Vec<FileChange>,
}

impl Diff {
    /// Whether anything changes in any stack or file.
    pub fn has_changes(&self) -> bool {
        self.stacks.iter().any(StackDiff::has_changes) || !self.files.is_empty()
    }

    /// The diff of one stack.
    pub fn stack(&self, name: &str) -> Option<&StackDiff> {
        self.stacks.iter().find(|s| s.name == name)
    }
}

/// Diffs two sides: stacks paired by name (two single files pair regardless of name).
pub fn diff_sides(old: &Side, new: &Side) -> Diff {
    let empty = Value::Object(Map::new());
    let mut stacks = Vec::new();
    if old.single_file && new.single_file && old.stacks.len() == 1 && new.stacks.len() == 1 {
        let (name, n) = &new.stacks[0];
        stacks.push(diff_templates(name, &old.stacks[0].1, n, StackStatus::Both));
        return Diff {
            stacks,
            broken_reads: Vec::new(),
            files: Vec::new(),
        };
    }
    for (name, n) in &new.stacks {
        match old.stacks.iter().find(|(o, _)| o == name) {
            Some((_, o)) => stacks.push(diff_templates(name, o, n, StackStatus::Both)),
            None => stacks.push(diff_templates(name, &empty, n, StackStatus::Added)),
        }
    }
    for (name, o) in &old.stacks {
        if !new.stacks.iter().any(|(n, _)| n == name) {
            stacks.push(diff_templates(name, o, &empty, StackStatus::Removed));
        }
    }
    // Knock-ons across stacks, in deploy order: a consumer reading a replaced producer's output.
    let mut effects = knock_on::OutputEffects::new();
    for d in &mut stacks {
        if let Some((_, t)) = new.stacks.iter().find(|(n, _)| *n == d.name) {
            knock_on::propagate(d, t, &effects);
            knock_on::output_effects(&d.name, d, t, &mut effects);
        }
    }
    let mut diff = Diff {
        stacks,
        broken_reads: Vec::new(),
        files: Vec::new(),
    };
    diff.broken_reads = broken_reads(old, &diff);
    diff
}

/// `formwork diff OLD NEW`: reads both sides (out dirs or template files) and diffs them; two out
/// dirs also compare their `DEPLOY.md`, `k8s/` and `helm/` files.
pub fn diff_paths(old: &Path, new: &Path) -> Result<Diff, DiffError> {
    let (o, n) = (load_side(old)?, load_side(new)?);
    let mut diff = diff_sides(&o, &n);
    if old.is_dir() && new.is_dir() {
        diff.files = diff_files(old, new)?;
    }
    Ok(diff)
}

#[cfg(test)]
mod tests;
