//! # formwork-codegen
//!
//! Renders the typed L1 Rust of `formwork-constructs` (`constructs/src/l1/`) from the vendored
//! CloudFormation registry schemas (`constructs/schemas/`), through the tera templates in
//! `templates/`, then `rustfmt`. See the README for the type mapping and its fallback rules.

pub mod docs;
pub mod model;
pub mod names;
pub mod patches;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;
use serde_json::Value;

use model::{Field, ResourceModel, Shape, TagStyle, Ty};

/// What can go wrong while generating.
#[derive(Debug)]
pub enum Error {
    /// Reading a schema or the provenance file.
    Io(PathBuf, std::io::Error),
    /// A file that is not valid JSON.
    Json(PathBuf, serde_json::Error),
    /// A schema the generator cannot handle, or a patch that does not apply.
    Schema(String),
    /// Template rendering.
    Template(String),
    /// `rustfmt` failed or is missing.
    Rustfmt(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(p, e) => write!(f, "{}: {e}", p.display()),
            Error::Json(p, e) => write!(f, "{}: {e}", p.display()),
            Error::Schema(m) => write!(f, "schema: {m}"),
            Error::Template(m) => write!(f, "template: {m}"),
            Error::Rustfmt(m) => write!(f, "rustfmt: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// Counts of what was generated (printed by the binary, quoted in the README).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Resource types.
    pub resources: usize,
    /// Nested structs (definitions and inline objects), not counting resource structs.
    pub structs: usize,
    /// String enums.
    pub enums: usize,
    /// Fields whose type contains the `serde_json::Value` fallback.
    pub value_fallback_fields: usize,
    /// Fields boxed to break a type cycle.
    pub boxed_fields: usize,
    /// Schema definitions not reachable from any writable property (not generated).
    pub unreachable_definitions: usize,
    /// Patches from the patch list that were applied.
    pub patches_applied: usize,
    /// Attribute markers (`Fn::GetAtt` names), not counting `Ref`.
    pub attributes: usize,
}

/// The output of a run: files (relative to `constructs/src/l1`) and counts.
#[derive(Debug)]
pub struct Output {
    pub files: BTreeMap<PathBuf, String>,
    pub stats: Stats,
}

/// Generates every file of `constructs/src/l1`, keyed by path relative to that directory.
pub fn generate(schemas_dir: &Path) -> Result<BTreeMap<PathBuf, String>, Error> {
    generate_with_stats(schemas_dir).map(|o| o.files)
}

/// Loads the vendored schemas of `schemas_dir` (`aws-*.json` and `provenance.json`), applies the
/// patch list and builds the model of every resource type.
pub fn load(schemas_dir: &Path) -> Result<(Vec<ResourceModel>, String, usize), Error> {
    let read_json = |p: &Path| -> Result<Value, Error> {
        let text = std::fs::read_to_string(p).map_err(|e| Error::Io(p.to_owned(), e))?;
        serde_json::from_str(&text).map_err(|e| Error::Json(p.to_owned(), e))
    };
    let prov_path = schemas_dir.join("provenance.json");
    let prov = read_json(&prov_path)?;
    let version = prov["version"].as_str().unwrap_or("?");
    let date = prov["schema_date"].as_str().unwrap_or("?");
    let origin = format!("cfn-lint {version}, {date}");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(schemas_dir)
        .map_err(|e| Error::Io(schemas_dir.to_owned(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("aws-"))
        })
        .collect();
    paths.sort();
    let mut models = Vec::new();
    let mut patched = 0;
    for p in paths {
        let mut schema = read_json(&p)?;
        let type_name = schema["typeName"].as_str().unwrap_or_default().to_owned();
        patched += patches::apply(&type_name, &mut schema).map_err(Error::Schema)?;
        models.push(model::build(&schema).map_err(Error::Schema)?);
    }
    if models.is_empty() {
        return Err(Error::Schema(format!(
            "no aws-*.json schemas in {}",
            schemas_dir.display()
        )));
    }
    Ok((models, origin, patched))
}

// ---- template context -------------------------------------------------------------------------

#[derive(Serialize)]
struct FieldCtx {
    name: String,
    cfn_name: String,
    ty: String,
    required: bool,
    doc: Vec<String>,
}

#[derive(Serialize)]
struct StructCtx {
    name: String,
    doc: Vec<String>,
    fields: Vec<FieldCtx>,
    required: Vec<FieldCtx>,
    derive_default: bool,
    many_args: bool,
    boxed: bool,
}

#[derive(Serialize)]
struct VariantCtx {
    name: String,
    value: String,
    literal: String,
}

#[derive(Serialize)]
struct EnumCtx {
    name: String,
    doc: Vec<String>,
    variants: Vec<VariantCtx>,
}

#[derive(Serialize)]
struct AttrCtx {
    name: String,
    marker: String,
    accessor: String,
}

#[derive(Serialize)]
struct ResourceCtx {
    module: String,
    cfn_type: String,
    doc: Vec<String>,
    resource: StructCtx,
    tag_style: &'static str,
    tag_property: Option<String>,
    attrs: Vec<AttrCtx>,
    structs: Vec<StructCtx>,
    enums: Vec<EnumCtx>,
    uses_val: bool,
}

#[derive(Serialize)]
struct ServiceCtx {
    header: String,
    service: String,
    types: Vec<String>,
    resources: Vec<ResourceCtx>,
}

#[derive(Serialize)]
struct ModCtx {
    header: String,
    services: Vec<ServiceEntry>,
}

#[derive(Serialize)]
struct ServiceEntry {
    module: String,
    types: Vec<String>,
}

fn rust_ty(ty: &Ty, names: &std::collections::HashMap<String, String>) -> String {
    match ty {
        Ty::String => "String".into(),
        Ty::I64 => "i64".into(),
        Ty::F64 => "f64".into(),
        Ty::Bool => "bool".into(),
        Ty::Json => "serde_json::Value".into(),
        Ty::List(t) => format!("Vec<Val<{}>>", rust_ty(t, names)),
        Ty::Map(t) => format!(
            "std::collections::BTreeMap<String, Val<{}>>",
            rust_ty(t, names)
        ),
        Ty::Named(p) => names[p].clone(),
    }
}

fn field_ctx(f: &Field, m: &ResourceModel, stats: &mut Stats) -> FieldCtx {
    let mut inner = rust_ty(&f.ty, &m.names);
    if f.boxed {
        inner = format!("Box<{inner}>");
        stats.boxed_fields += 1;
    }
    if f.ty.has_json() {
        stats.value_fallback_fields += 1;
    }
    let mut doc = f
        .description
        .as_deref()
        .map(docs::doc_lines)
        .unwrap_or_default();
    let mut notes = Vec::new();
    if f.required {
        notes.push("Required.");
    }
    if f.create_only {
        notes.push("Create-only: changing it replaces the resource.");
    }
    if !notes.is_empty() {
        if !doc.is_empty() {
            doc.push(String::new());
        }
        doc.push(notes.join(" "));
    }
    FieldCtx {
        name: f.rust_name.clone(),
        cfn_name: f.cfn_name.clone(),
        ty: if f.required {
            format!("Val<{inner}>")
        } else {
            format!("Option<Val<{inner}>>")
        },
        required: f.required,
        doc,
    }
}

fn struct_ctx(
    name: &str,
    doc: Vec<String>,
    fields: &[Field],
    m: &ResourceModel,
    stats: &mut Stats,
) -> Result<StructCtx, Error> {
    let mut seen = BTreeSet::new();
    for f in fields {
        if !seen.insert(f.rust_name.as_str()) {
            return Err(Error::Schema(format!(
                "{}: two properties of {name} map to `{}`",
                m.type_name, f.rust_name
            )));
        }
    }
    let fcs: Vec<FieldCtx> = fields.iter().map(|f| field_ctx(f, m, stats)).collect();
    let required: Vec<FieldCtx> = fcs
        .iter()
        .filter(|f| f.required)
        .map(|f| FieldCtx {
            name: f.name.clone(),
            cfn_name: f.cfn_name.clone(),
            ty: f.ty.clone(),
            required: true,
            doc: Vec::new(),
        })
        .collect();
    Ok(StructCtx {
        name: name.to_owned(),
        doc,
        derive_default: required.is_empty(),
        many_args: required.len() > 7,
        boxed: m.boxed_targets.contains(name),
        fields: fcs,
        required,
    })
}

fn resource_ctx(m: &ResourceModel, stats: &mut Stats) -> Result<ResourceCtx, Error> {
    stats.resources += 1;
    stats.unreachable_definitions += m.unreachable_definitions;
    let mut doc = vec![format!("`{}`", m.type_name), String::new()];
    if let Some(d) = &m.description {
        doc.extend(docs::doc_lines(d));
        doc.push(String::new());
    }
    doc.push(format!(
        "CloudFormation reference: <{}>",
        m.documentation_url
    ));
    if let Some(s) = &m.source_url {
        doc.push(String::new());
        doc.push(format!("Resource provider source: <{s}>"));
    }
    if !m.create_only.is_empty() {
        doc.push(String::new());
        let list: Vec<String> = m.create_only.iter().map(|p| format!("`{p}`")).collect();
        doc.push(format!(
            "Create-only properties (changing one replaces the resource): {}.",
            list.join(", ")
        ));
    }
    let resource = struct_ctx(&m.struct_name, doc, &m.fields, m, stats)?;

    let mut structs = Vec::new();
    let mut enums = Vec::new();
    let mut emitted = BTreeSet::new();
    for n in &m.named {
        let name = m.names[&n.pointer].clone();
        if !emitted.insert(name.clone()) {
            continue;
        }
        let doc = n
            .description
            .as_deref()
            .map(docs::doc_lines)
            .unwrap_or_default();
        match &n.shape {
            Shape::Struct(fields) => {
                stats.structs += 1;
                structs.push(struct_ctx(&name, doc, fields, m, stats)?);
            }
            Shape::Enum(values) => {
                stats.enums += 1;
                let mut taken = BTreeSet::new();
                let mut variants = Vec::new();
                for v in values {
                    if variants.iter().any(|x: &VariantCtx| &x.value == v) {
                        continue;
                    }
                    let base = names::pascal(v);
                    let mut vn = base.clone();
                    let mut i = 2;
                    while !taken.insert(vn.clone()) {
                        vn = format!("{base}{i}");
                        i += 1;
                    }
                    variants.push(VariantCtx {
                        name: vn,
                        value: docs::code_span(v),
                        literal: format!("{v:?}"),
                    });
                }
                enums.push(EnumCtx {
                    name,
                    doc,
                    variants,
                });
            }
        }
    }
    structs.sort_by(|a, b| a.name.cmp(&b.name));
    enums.sort_by(|a, b| a.name.cmp(&b.name));

    // Plain attributes claim their names first; a nested one (`A.B`) whose name collides with a
    // plain one (EKS `CertificateAuthorityData` vs `CertificateAuthority.Data`) gets `Nested`.
    let mut markers = BTreeSet::from(["Ref".to_owned()]);
    let mut accessors = BTreeSet::new();
    let mut named_attrs = BTreeMap::new();
    for dotted in [false, true] {
        for a in m.attributes.iter().filter(|a| a.contains('.') == dotted) {
            let mut marker = names::pascal(&a.replace('.', "_"));
            let mut accessor = format!("attr_{}", names::words(a).join("_"));
            if marker == "Ref" {
                marker.push_str("Attr");
            }
            if dotted && (markers.contains(&marker) || accessors.contains(&accessor)) {
                marker.push_str("Nested");
                accessor.push_str("_nested");
            }
            if !markers.insert(marker.clone()) || !accessors.insert(accessor.clone()) {
                return Err(Error::Schema(format!(
                    "{}: attribute {a} collides with another",
                    m.type_name
                )));
            }
            named_attrs.insert(a.clone(), (marker, accessor));
        }
    }
    let mut attrs = Vec::new();
    for a in &m.attributes {
        let (marker, accessor) = named_attrs[a].clone();
        stats.attributes += 1;
        attrs.push(AttrCtx {
            name: a.clone(),
            marker,
            accessor,
        });
    }
    let uses_val = !resource.fields.is_empty() || !structs.is_empty() || !enums.is_empty();
    Ok(ResourceCtx {
        module: m.module.clone(),
        cfn_type: m.type_name.clone(),
        doc: vec![format!(
            "`{}`: the [`{}`](crate::l1::{}::{}::{}) resource, its property types and attributes.",
            m.type_name, m.struct_name, m.service, m.module, m.struct_name
        )],
        resource,
        tag_style: match m.tag_style {
            TagStyle::None => "None",
            TagStyle::List => "List",
            TagStyle::Map => "Map",
        },
        tag_property: (m.tag_style != TagStyle::None && m.tag_property != "Tags")
            .then(|| m.tag_property.clone()),
        attrs,
        structs,
        enums,
        uses_val,
    })
}

fn templates() -> Result<tera::Tera, Error> {
    let mut t = tera::Tera::default();
    t.autoescape_on(Vec::new());
    t.add_raw_templates(vec![
        ("macros.tera", include_str!("../templates/macros.tera")),
        (
            "service.rs.tera",
            include_str!("../templates/service.rs.tera"),
        ),
        ("mod.rs.tera", include_str!("../templates/mod.rs.tera")),
    ])
    .map_err(|e| Error::Template(format!("{e:?}")))?;
    Ok(t)
}

/// Pipes Rust source through `rustfmt --edition 2024 --emit stdout`.
pub fn rustfmt(src: &str) -> Result<String, Error> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Rustfmt(format!("cannot run rustfmt (is it on PATH?): {e}")))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = src.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| Error::Rustfmt(e.to_string()))?;
    writer
        .join()
        .map_err(|_| Error::Rustfmt("writer panicked".into()))?
        .map_err(|e| Error::Rustfmt(e.to_string()))?;
    if !out.status.success() {
        return Err(Error::Rustfmt(
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| Error::Rustfmt(e.to_string()))
}

/// [`generate`], with the counts.
pub fn generate_with_stats(schemas_dir: &Path) -> Result<Output, Error> {
    let (models, origin, patched) = load(schemas_dir)?;
    let header = format!(
        "// @generated by formwork-codegen from the CloudFormation registry schemas ({origin}). Do not edit: change the generator or its patch list."
    );
    let tera = templates()?;
    let mut stats = Stats {
        patches_applied: patched,
        ..Stats::default()
    };
    let mut by_service: BTreeMap<String, Vec<&ResourceModel>> = BTreeMap::new();
    for m in &models {
        by_service.entry(m.service.clone()).or_default().push(m);
    }
    let mut files = BTreeMap::new();
    let mut entries = Vec::new();
    for (service, mut ms) in by_service {
        ms.sort_by(|a, b| a.module.cmp(&b.module));
        let mut resources = Vec::new();
        for m in &ms {
            resources.push(resource_ctx(m, &mut stats)?);
        }
        let types: Vec<String> = ms.iter().map(|m| m.type_name.clone()).collect();
        let ctx = ServiceCtx {
            header: header.clone(),
            service: service.clone(),
            types: types.clone(),
            resources,
        };
        let src = tera
            .render(
                "service.rs.tera",
                &tera::Context::from_serialize(&ctx)
                    .map_err(|e| Error::Template(format!("{e:?}")))?,
            )
            .map_err(|e| Error::Template(format!("{service}: {e:?}")))?;
        files.insert(PathBuf::from(format!("{service}.rs")), rustfmt(&src)?);
        entries.push(ServiceEntry {
            module: service,
            types,
        });
    }
    let ctx = ModCtx {
        header,
        services: entries,
    };
    let src = tera
        .render(
            "mod.rs.tera",
            &tera::Context::from_serialize(&ctx).map_err(|e| Error::Template(format!("{e:?}")))?,
        )
        .map_err(|e| Error::Template(format!("mod.rs: {e:?}")))?;
    files.insert(PathBuf::from("mod.rs"), rustfmt(&src)?);
    Ok(Output { files, stats })
}

/// The vendored schemas and the generated directory, relative to this crate.
pub fn default_dirs() -> (PathBuf, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("constructs/")
        .to_owned();
    (root.join("schemas"), root.join("src").join("l1"))
}

/// Files under `out_dir` that differ from `files`, or that are missing, or `.rs` files that are
/// not generated any more.
pub fn diff(files: &BTreeMap<PathBuf, String>, out_dir: &Path) -> Vec<PathBuf> {
    let mut bad = Vec::new();
    for (rel, content) in files {
        match std::fs::read_to_string(out_dir.join(rel)) {
            Ok(old) if &old == content => {}
            _ => bad.push(rel.clone()),
        }
    }
    if let Ok(rd) = std::fs::read_dir(out_dir) {
        let mut extra: Vec<PathBuf> = rd
            .filter_map(|e| e.ok())
            .map(|e| PathBuf::from(e.file_name()))
            .filter(|p| p.extension().is_some_and(|x| x == "rs") && !files.contains_key(p))
            .collect();
        extra.sort();
        bad.extend(extra);
    }
    bad
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn type_mapping() {
        let mut names = HashMap::new();
        names.insert("/definitions/Rule".to_owned(), "Rule".to_owned());
        assert_eq!(rust_ty(&Ty::String, &names), "String");
        assert_eq!(rust_ty(&Ty::I64, &names), "i64");
        assert_eq!(rust_ty(&Ty::F64, &names), "f64");
        assert_eq!(rust_ty(&Ty::Bool, &names), "bool");
        assert_eq!(rust_ty(&Ty::Json, &names), "serde_json::Value");
        assert_eq!(
            rust_ty(&Ty::List(Box::new(Ty::String)), &names),
            "Vec<Val<String>>"
        );
        assert_eq!(
            rust_ty(&Ty::Map(Box::new(Ty::String)), &names),
            "std::collections::BTreeMap<String, Val<String>>"
        );
        assert_eq!(
            rust_ty(
                &Ty::List(Box::new(Ty::Named("/definitions/Rule".into()))),
                &names
            ),
            "Vec<Val<Rule>>"
        );
    }

    fn build(schema: serde_json::Value) -> ResourceModel {
        model::build(&schema).unwrap()
    }

    #[test]
    fn schema_shapes_map_to_types() {
        let m = build(serde_json::json!({
            "typeName": "AWS::Test::Thing",
            "readOnlyProperties": ["/properties/Arn", "/properties/Conf/Secret"],
            "createOnlyProperties": ["/properties/Name"],
            "required": ["Name"],
            "properties": {
                "Arn": {"type": "string"},
                "Name": {"type": "string"},
                "Count": {"type": "integer"},
                "Ratio": {"type": "number"},
                "On": {"type": "boolean"},
                "Ids": {"type": "array", "items": {"type": "string"}},
                "Labels": {"type": "object", "patternProperties": {"^.+$": {"type": "string"}}},
                "Policy": {"type": ["object", "string"]},
                "Loose": {"type": "object"},
                "Mode": {"type": "string", "enum": ["a-b", "c"]},
                "Conf": {"$ref": "#/definitions/Conf"},
                "Tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}}
            },
            "definitions": {
                "Conf": {"type": "object", "properties": {"Secret": {"type": "string"}, "Inner": {"$ref": "#/definitions/Conf"}, "Kind": {"$ref": "#/definitions/Kind"}}},
                "Kind": {"type": "string", "enum": ["X", "Y"]},
                "Tag": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}}, "required": ["Key", "Value"]},
                "Unused": {"type": "object", "properties": {}}
            }
        }));
        let by: HashMap<&str, &Field> = m.fields.iter().map(|f| (f.cfn_name.as_str(), f)).collect();
        assert!(!by.contains_key("Arn"));
        assert_eq!(by["Name"].ty, Ty::String);
        assert!(by["Name"].required && by["Name"].create_only);
        assert_eq!(by["Count"].ty, Ty::I64);
        assert_eq!(by["Ratio"].ty, Ty::F64);
        assert_eq!(by["On"].ty, Ty::Bool);
        assert_eq!(by["Ids"].ty, Ty::List(Box::new(Ty::String)));
        assert_eq!(by["Labels"].ty, Ty::Map(Box::new(Ty::String)));
        assert_eq!(by["Policy"].ty, Ty::Json);
        assert_eq!(by["Loose"].ty, Ty::Json);
        assert_eq!(by["Mode"].ty, Ty::Named("/properties/Mode".into()));
        assert_eq!(m.names["/properties/Mode"], "Mode");
        assert_eq!(m.names["/definitions/Conf"], "Conf");
        assert_eq!(m.tag_style, TagStyle::List);
        assert_eq!(
            m.attributes,
            vec!["Arn".to_owned(), "Conf.Secret".to_owned()]
        );
        assert_eq!(m.unreachable_definitions, 1);
        let conf = m
            .named
            .iter()
            .find(|n| n.pointer == "/definitions/Conf")
            .unwrap();
        let Shape::Struct(fields) = &conf.shape else {
            panic!()
        };
        // the nested read-only property is not writable; the self-reference is boxed
        assert_eq!(
            fields
                .iter()
                .map(|f| f.cfn_name.as_str())
                .collect::<Vec<_>>(),
            ["Inner", "Kind"]
        );
        assert!(fields[0].boxed);
        assert!(!fields[1].boxed);
        assert!(m.boxed_targets.contains("Conf"));
    }
}
