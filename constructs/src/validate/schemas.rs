//! The embedded CloudFormation registry schemas (all 1,854 us-east-1 types of cfn-lint 1.58.0),
//! cleaned and compressed by `scripts/update-schema-bundle` into one zstd frame per type.
//! A type's schema is decompressed and parsed on first use only, then kept for the process.

use std::sync::OnceLock;

use serde_json::Value;

static BLOB: &[u8] = include_bytes!("../../schemas/bundle/schemas.bin");
static INDEX: &str = include_str!("../../schemas/bundle/index.tsv");

/// One registry schema and the metadata other modules (diff, validate) need.
#[derive(Debug)]
pub struct SchemaEntry {
    /// `AWS::Service::Resource`.
    pub type_name: &'static str,
    /// The cleaned schema (descriptions removed, unsupported regexes rewritten or dropped).
    pub schema: Value,
    /// JSON pointers into the schema, e.g. `/properties/Arn` (also nested ones).
    pub read_only_properties: Vec<String>,
    /// Changing any of these replaces the resource.
    pub create_only_properties: Vec<String>,
    /// May replace the resource, depending on the change.
    pub conditional_create_only_properties: Vec<String>,
    /// Never returned by reads (secrets…).
    pub write_only_properties: Vec<String>,
    /// The primary identifier pointers.
    pub primary_identifier: Vec<String>,
    /// The `tagging` object (or `null`).
    pub tagging: Value,
}

impl SchemaEntry {
    /// `Fn::GetAtt` attribute names this type documents: the read-only properties, dotted
    /// (`/properties/KubernetesNetworkConfig/ServiceIpv6Cidr` → `KubernetesNetworkConfig.ServiceIpv6Cidr`).
    pub fn read_only_attributes(&self) -> impl Iterator<Item = String> + '_ {
        self.read_only_properties.iter().filter_map(|p| {
            p.strip_prefix("/properties/")
                .map(|rest| rest.replace('/', "."))
        })
    }

    /// Whether `name` is a top-level property of the schema (read-only or not).
    pub fn has_property(&self, name: &str) -> bool {
        self.schema
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| p.contains_key(name))
    }
}

struct Slot {
    name: &'static str,
    offset: usize,
    len: usize,
    entry: OnceLock<Option<SchemaEntry>>,
}

fn index() -> &'static [Slot] {
    static IDX: OnceLock<Vec<Slot>> = OnceLock::new();
    IDX.get_or_init(|| {
        let mut v: Vec<Slot> = INDEX
            .lines()
            .filter_map(|l| {
                let mut it = l.split('\t');
                let name = it.next()?;
                let offset = it.next()?.parse().ok()?;
                let len = it.next()?.parse().ok()?;
                Some(Slot {
                    name,
                    offset,
                    len,
                    entry: OnceLock::new(),
                })
            })
            .collect();
        v.sort_by(|a, b| a.name.cmp(b.name));
        v
    })
}

fn strings(schema: &Value, key: &str) -> Vec<String> {
    schema
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn decode(slot: &Slot) -> Option<SchemaEntry> {
    let frame = BLOB.get(slot.offset..slot.offset.checked_add(slot.len)?)?;
    // Largest minified schema is well under 8 MiB; the frame records its content size anyway.
    let bytes = zstd::bulk::decompress(frame, 16 << 20).ok()?;
    let schema: Value = serde_json::from_slice(&bytes).ok()?;
    Some(SchemaEntry {
        type_name: slot.name,
        read_only_properties: strings(&schema, "readOnlyProperties"),
        create_only_properties: strings(&schema, "createOnlyProperties"),
        conditional_create_only_properties: strings(&schema, "conditionalCreateOnlyProperties"),
        write_only_properties: strings(&schema, "writeOnlyProperties"),
        primary_identifier: strings(&schema, "primaryIdentifier"),
        tagging: schema.get("tagging").cloned().unwrap_or(Value::Null),
        schema,
    })
}

/// The schema of `type_name`, decompressed and parsed on first call, or `None` if the bundle
/// has no such type.
pub fn get(type_name: &str) -> Option<&'static SchemaEntry> {
    let idx = index();
    let i = idx.binary_search_by(|s| s.name.cmp(type_name)).ok()?;
    let slot = &idx[i];
    slot.entry.get_or_init(|| decode(slot)).as_ref()
}

/// Every type name in the bundle, sorted.
pub fn type_names() -> impl Iterator<Item = &'static str> {
    index().iter().map(|s| s.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_has_all_types() {
        assert!(type_names().count() >= 1800);
        let d = get("AWS::CloudFront::Distribution").expect("distribution");
        assert!(d.read_only_properties.iter().any(|p| p == "/properties/Id"));
        assert!(get("AWS::Nope::Nope").is_none());
        let ecr = get("AWS::ECR::Repository").expect("ecr");
        assert!(
            ecr.create_only_properties
                .iter()
                .any(|p| p == "/properties/RepositoryName")
        );
        assert!(ecr.read_only_attributes().any(|a| a == "RepositoryUri"));
        let eks = get("AWS::EKS::Cluster").unwrap();
        assert!(
            eks.read_only_attributes()
                .any(|a| a == "KubernetesNetworkConfig.ServiceIpv6Cidr")
        );
    }
}
