//! The embedded CloudFormation registry schemas (all 1,854 us-east-1 types of cfn-lint 1.58.0),
//! cleaned and compressed by `scripts/update-schema-bundle` into one zstd frame per type.
//! A type's metadata is decoded on first use and kept for the process; the full schema document
//! is decoded only to compile its validator and then dropped (it is the bulk of the memory).

use std::sync::OnceLock;

use serde_json::Value;

static BLOB: &[u8] = include_bytes!("../../schemas/bundle/schemas.bin");
static INDEX: &str = include_str!("../../schemas/bundle/index.tsv");

/// One registry schema and the metadata other modules (diff, validate) need.
#[derive(Debug)]
pub struct SchemaEntry {
    /// `AWS::Service::Resource`.
    pub type_name: &'static str,
    /// Top-level property names (read-only or not), sorted.
    pub properties: Vec<String>,
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
        self.properties
            .binary_search_by(|p| p.as_str().cmp(name))
            .is_ok()
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

fn decode_value(slot: &Slot) -> Option<Value> {
    let frame = BLOB.get(slot.offset..slot.offset.checked_add(slot.len)?)?;
    // Largest minified schema is well under 8 MiB; the frame records its content size anyway.
    let bytes = zstd::bulk::decompress(frame, 16 << 20).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn entry_of(name: &'static str, schema: &Value) -> SchemaEntry {
    let mut properties: Vec<String> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    properties.sort_unstable();
    SchemaEntry {
        type_name: name,
        properties,
        read_only_properties: strings(schema, "readOnlyProperties"),
        create_only_properties: strings(schema, "createOnlyProperties"),
        conditional_create_only_properties: strings(schema, "conditionalCreateOnlyProperties"),
        write_only_properties: strings(schema, "writeOnlyProperties"),
        primary_identifier: strings(schema, "primaryIdentifier"),
        tagging: schema.get("tagging").cloned().unwrap_or(Value::Null),
    }
}

fn slot(type_name: &str) -> Option<&'static Slot> {
    let idx = index();
    let i = idx.binary_search_by(|s| s.name.cmp(type_name)).ok()?;
    Some(&idx[i])
}

/// The metadata of `type_name`, decoded on first call, or `None` if the bundle has no such type.
pub fn get(type_name: &str) -> Option<&'static SchemaEntry> {
    get_with_schema(type_name).map(|(e, _)| e)
}

/// The metadata of `type_name` and, when this call is the one that decoded it, the full schema
/// document (to compile a validator from without decoding twice).
pub fn get_with_schema(type_name: &str) -> Option<(&'static SchemaEntry, Option<Value>)> {
    let slot = slot(type_name)?;
    let mut decoded = None;
    let entry = slot
        .entry
        .get_or_init(|| {
            let v = decode_value(slot)?;
            let e = entry_of(slot.name, &v);
            decoded = Some(v);
            Some(e)
        })
        .as_ref()?;
    Some((entry, decoded))
}

/// The full (cleaned) schema document of `type_name`, decoded afresh.
pub fn schema_document(type_name: &str) -> Option<Value> {
    decode_value(slot(type_name)?)
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
