//! From a (patched) registry schema to the model the templates render: one resource struct, the
//! nested structs and enums it reaches, its attributes and tag style.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use serde_json::Value;

use crate::names::{pascal, snake};

/// The Rust shape of a schema node.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// `String`
    String,
    /// `i64`
    I64,
    /// `f64`
    F64,
    /// `bool`
    Bool,
    /// `serde_json::Value`: the documented fallback for shapes the generator does not type.
    Json,
    /// `Vec<Val<T>>`
    List(Box<Ty>),
    /// `BTreeMap<String, Val<T>>`
    Map(Box<Ty>),
    /// A generated struct or enum, by the JSON pointer of its schema node.
    Named(String),
}

impl Ty {
    /// Whether the type contains the `serde_json::Value` fallback.
    pub fn has_json(&self) -> bool {
        match self {
            Ty::Json => true,
            Ty::List(t) | Ty::Map(t) => t.has_json(),
            _ => false,
        }
    }
}

/// A struct field (a writable property).
#[derive(Debug, Clone)]
pub struct Field {
    pub cfn_name: String,
    pub rust_name: String,
    pub ty: Ty,
    pub required: bool,
    pub description: Option<String>,
    pub create_only: bool,
    /// Set when the field is a direct (not list/map) reference on a type cycle.
    pub boxed: bool,
}

/// A generated nested type.
#[derive(Debug, Clone)]
pub enum Shape {
    Struct(Vec<Field>),
    Enum(Vec<String>),
}

/// A nested type found while walking the schema.
#[derive(Debug, Clone)]
pub struct Named {
    pub pointer: String,
    /// The definition name, or the property name for an inline type.
    pub candidate: String,
    /// Pointer of the struct that holds an inline type (`None` for definitions; `""` is the
    /// resource itself).
    pub owner: Option<String>,
    pub is_def: bool,
    pub description: Option<String>,
    pub shape: Shape,
}

/// How the resource takes tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagStyle {
    None,
    List,
    Map,
}

/// One resource type, ready to render.
#[derive(Debug, Clone)]
pub struct ResourceModel {
    pub type_name: String,
    pub service: String,
    pub module: String,
    pub struct_name: String,
    pub description: Option<String>,
    pub documentation_url: String,
    pub source_url: Option<String>,
    pub create_only: Vec<String>,
    pub fields: Vec<Field>,
    pub named: Vec<Named>,
    /// Pointer → final Rust name.
    pub names: HashMap<String, String>,
    /// Names of structs that some field holds boxed.
    pub boxed_targets: HashSet<String>,
    pub tag_style: TagStyle,
    pub tag_property: String,
    /// `Fn::GetAtt` names (read-only properties, nested ones joined by `.`).
    pub attributes: Vec<String>,
    pub unreachable_definitions: usize,
}

/// Type names that generated code must not shadow (it uses them unqualified).
const RESERVED: &[&str] = &[
    "Val",
    "Serialize",
    "Option",
    "Some",
    "None",
    "Vec",
    "String",
    "Box",
    "Result",
    "Ok",
    "Err",
    "Default",
    "From",
    "Into",
    "Self",
];

struct Builder<'a> {
    root: &'a Value,
    read_only: HashSet<String>,
    create_only: HashSet<String>,
    named: Vec<Named>,
    index: HashMap<String, usize>,
    queue: VecDeque<usize>,
    visited_defs: HashSet<String>,
}

fn str_types(node: &Value) -> Vec<&str> {
    match node.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn string_enum(node: &Value) -> Option<Vec<String>> {
    let vals = node.get("enum")?.as_array()?;
    let out: Option<Vec<String>> = vals.iter().map(|v| v.as_str().map(str::to_owned)).collect();
    out.filter(|v| !v.is_empty())
}

fn is_struct_like(node: &Value) -> bool {
    let t = str_types(node);
    node.get("properties").is_some_and(Value::is_object) && (t.is_empty() || t == ["object"])
}

fn description(node: &Value) -> Option<String> {
    node.get("description")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .filter(|s| !s.trim().is_empty())
}

fn escape_ptr(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

impl<'a> Builder<'a> {
    fn register(
        &mut self,
        pointer: &str,
        candidate: &str,
        owner: Option<&str>,
        is_def: bool,
        node: &Value,
        shape: Shape,
    ) -> Ty {
        if !self.index.contains_key(pointer) {
            let is_struct = matches!(shape, Shape::Struct(_));
            self.named.push(Named {
                pointer: pointer.to_owned(),
                candidate: candidate.to_owned(),
                owner: owner.map(str::to_owned),
                is_def,
                description: description(node),
                shape,
            });
            let i = self.named.len() - 1;
            self.index.insert(pointer.to_owned(), i);
            if is_struct {
                self.queue.push_back(i);
            }
        }
        Ty::Named(pointer.to_owned())
    }

    fn resolve(&mut self, ptr: &str, node: &'a Value, owner: Option<&str>, prop: &str) -> Ty {
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            let Some(name) = r.strip_prefix("#/definitions/") else {
                return Ty::Json;
            };
            let def_ptr = format!("/definitions/{}", escape_ptr(name));
            let Some(def) = self.root.pointer(&def_ptr) else {
                return Ty::Json;
            };
            self.visited_defs.insert(def_ptr.clone());
            if is_struct_like(def) {
                return self.register(&def_ptr, name, None, true, def, Shape::Struct(Vec::new()));
            }
            if str_types(def) == ["string"]
                && let Some(values) = string_enum(def)
            {
                return self.register(&def_ptr, name, None, true, def, Shape::Enum(values));
            }
            return self.resolve(&def_ptr, def, None, name);
        }
        let types = str_types(node);
        if types.len() > 1 {
            return Ty::Json;
        }
        match types.first().copied() {
            Some("string") => match string_enum(node) {
                Some(values) => self.register(ptr, prop, owner, false, node, Shape::Enum(values)),
                None => Ty::String,
            },
            Some("integer") => Ty::I64,
            Some("number") => Ty::F64,
            Some("boolean") => Ty::Bool,
            Some("array") => match node.get("items") {
                Some(items) if items.is_object() => Ty::List(Box::new(self.resolve(
                    &format!("{ptr}/items"),
                    items,
                    owner,
                    prop,
                ))),
                _ => Ty::List(Box::new(Ty::Json)),
            },
            Some("object") | None => {
                if is_struct_like(node) {
                    return self.register(ptr, prop, owner, false, node, Shape::Struct(Vec::new()));
                }
                if let Some(pp) = node.get("patternProperties").and_then(Value::as_object) {
                    let mut tys = Vec::new();
                    for (k, v) in pp {
                        tys.push(self.resolve(
                            &format!("{ptr}/patternProperties/{}", escape_ptr(k)),
                            v,
                            owner,
                            prop,
                        ));
                    }
                    tys.dedup();
                    return match tys.as_slice() {
                        [one] => Ty::Map(Box::new(one.clone())),
                        _ => Ty::Json,
                    };
                }
                if let Some(ap) = node.get("additionalProperties").filter(|v| v.is_object()) {
                    return Ty::Map(Box::new(self.resolve(
                        &format!("{ptr}/additionalProperties"),
                        ap,
                        owner,
                        prop,
                    )));
                }
                if types.is_empty() {
                    if let Some(values) = string_enum(node) {
                        return self.register(ptr, prop, owner, false, node, Shape::Enum(values));
                    }
                    if node.get("format").is_some() {
                        return Ty::String;
                    }
                }
                Ty::Json
            }
            Some(_) => Ty::Json,
        }
    }

    fn fields(&mut self, ptr: &str, node: &'a Value) -> Vec<Field> {
        let required: HashSet<&str> = node
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        let Some(props) = node.get("properties").and_then(Value::as_object) else {
            return out;
        };
        for (name, schema) in props {
            let child = format!("{ptr}/properties/{}", escape_ptr(name));
            if self.read_only.contains(&child) {
                continue;
            }
            let ty = self.resolve(&child, schema, Some(ptr), name);
            out.push(Field {
                cfn_name: name.clone(),
                rust_name: snake(name),
                ty,
                required: required.contains(name.as_str()),
                description: description(schema),
                create_only: ptr.is_empty() && self.create_only.contains(&child),
                boxed: false,
            });
        }
        out
    }
}

/// Follows `$ref`s and array `items` from a node.
fn deref<'a>(root: &'a Value, mut ptr: String, mut node: &'a Value) -> (String, &'a Value) {
    for _ in 0..16 {
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            let Some(name) = r.strip_prefix("#/definitions/") else {
                break;
            };
            ptr = format!("/definitions/{}", escape_ptr(name));
            match root.pointer(&ptr) {
                Some(d) => node = d,
                None => break,
            }
        } else if str_types(node) == ["array"] && node.get("items").is_some() {
            ptr.push_str("/items");
            node = &node["items"];
        } else {
            break;
        }
    }
    (ptr, node)
}

/// The pointers (into the schema, through `$ref`s) of the properties a metadata path like
/// `/properties/A/B` names.
fn property_pointer(root: &Value, path: &str) -> Option<String> {
    let rest = path.strip_prefix("/properties/")?;
    let (mut ptr, mut node) = (String::new(), root);
    for seg in rest.split('/') {
        if seg == "*" {
            continue;
        }
        let (p, n) = deref(root, ptr, node);
        let child = n.get("properties")?.get(seg)?;
        ptr = format!("{p}/properties/{}", escape_ptr(seg));
        node = child;
    }
    Some(ptr)
}

fn path_list(root: &Value, key: &str) -> Vec<String> {
    root.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Structs estimated larger than this many bytes are held boxed by the fields that contain them.
pub const BOX_ABOVE: usize = 1024;

/// Rough size in bytes of a struct as generated (`Val<T>` is at least an `Expr`, 72 bytes, plus a
/// tag); records which direct struct fields must be boxed because their target is too large.
fn estimate(
    ptr: &str,
    named: &[Named],
    index: &HashMap<String, usize>,
    memo: &mut HashMap<String, usize>,
    decisions: &mut HashSet<(String, usize)>,
) -> usize {
    if let Some(&s) = memo.get(ptr) {
        return s;
    }
    let Some(&i) = index.get(ptr) else { return 8 };
    let Shape::Struct(fields) = &named[i].shape else {
        return 1;
    };
    memo.insert(ptr.to_owned(), 8); // provisional, only reachable through boxed cycle edges
    let mut total = 0;
    for (fi, f) in fields.iter().enumerate() {
        let inner = match &f.ty {
            Ty::String | Ty::List(_) | Ty::Map(_) => 24,
            Ty::I64 | Ty::F64 => 8,
            Ty::Bool => 1,
            Ty::Json => 32,
            Ty::Named(_) if f.boxed => 8,
            Ty::Named(p) => {
                let s = estimate(p, named, index, memo, decisions);
                if s > BOX_ABOVE && matches!(named[index[p]].shape, Shape::Struct(_)) {
                    decisions.insert((ptr.to_owned(), fi));
                    8
                } else {
                    s
                }
            }
        };
        total += inner.max(72) + 8;
    }
    memo.insert(ptr.to_owned(), total);
    total
}

/// Types whose every property (not only the read-only ones) is a `Fn::GetAtt` attribute, as
/// cfn-lint 1.58 knows them (`cfnlint/schema/_getatts.py`, `_all_property_types`), restricted to
/// the vendored types. For example `Fn::GetAtt [Vpc, CidrBlock]` is valid although `CidrBlock` is
/// writable.
pub const GETATT_ALL_PROPERTIES: &[&str] = &[
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet",
    "AWS::EC2::VPC",
    "AWS::EKS::Nodegroup",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::SNS::Topic",
];

/// The attribute names cfn-lint derives from every property (`GetAtts._process_schema`): objects
/// are walked into, arrays of scalars are attributes, arrays of objects or arrays are not.
fn all_property_attributes(root: &Value, node: &Value, path: &str, out: &mut Vec<String>) {
    let types = str_types(node);
    if types.contains(&"object") {
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                all_property_attributes(root, v, &format!("{path}.{k}"), out);
            }
        }
    } else if types.contains(&"array") {
        let item_types = node.get("items").map(str_types).unwrap_or_default();
        if item_types == ["object"] || item_types == ["array"] {
            return;
        }
        out.push(path.to_owned());
    } else if let Some(r) = node.get("$ref").and_then(Value::as_str) {
        let def = r
            .strip_prefix("#/definitions/")
            .and_then(|n| root.pointer(&format!("/definitions/{}", escape_ptr(n))));
        if let Some(def) = def {
            all_property_attributes(root, def, path, out);
        }
    } else {
        out.push(path.to_owned());
    }
}

/// Builds the model of one resource schema (already patched).
pub fn build(schema: &Value) -> Result<ResourceModel, String> {
    let type_name = schema["typeName"]
        .as_str()
        .ok_or("schema without typeName")?
        .to_owned();
    let segs: Vec<&str> = type_name.split("::").collect();
    let [_, svc, res] = segs.as_slice() else {
        return Err(format!("unexpected type name {type_name}"));
    };
    let read_only_paths = path_list(schema, "readOnlyProperties");
    let create_only_paths = path_list(schema, "createOnlyProperties");
    let mut b = Builder {
        root: schema,
        read_only: read_only_paths
            .iter()
            .filter_map(|p| property_pointer(schema, p))
            .collect(),
        create_only: create_only_paths
            .iter()
            .filter_map(|p| property_pointer(schema, p))
            .collect(),
        named: Vec::new(),
        index: HashMap::new(),
        queue: VecDeque::new(),
        visited_defs: HashSet::new(),
    };
    let struct_name = pascal(res);
    let mut fields = b.fields("", schema);
    while let Some(i) = b.queue.pop_front() {
        let ptr = b.named[i].pointer.clone();
        let node = schema
            .pointer(&ptr)
            .ok_or_else(|| format!("{type_name}: lost {ptr}"))?;
        let f = b.fields(&ptr, node);
        b.named[i].shape = Shape::Struct(f);
    }
    let mut named = b.named;
    let reached_defs = b.visited_defs.len();

    // Names: the resource struct first, then definitions, then inline types in discovery order.
    let mut taken: HashSet<String> = RESERVED.iter().map(|s| (*s).to_owned()).collect();
    taken.insert(struct_name.clone());
    let mut names: HashMap<String, String> = HashMap::new();
    names.insert(String::new(), struct_name.clone());
    let fresh = |taken: &mut HashSet<String>, base: String| -> String {
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        taken.insert(name.clone());
        name
    };
    for n in named.iter().filter(|n| n.is_def) {
        let base = pascal(&n.candidate);
        let base = if taken.contains(&base) {
            format!("{base}Type")
        } else {
            base
        };
        let name = fresh(&mut taken, base);
        names.insert(n.pointer.clone(), name);
    }
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, n) in named.iter().enumerate().filter(|(_, n)| !n.is_def) {
        groups.entry(pascal(&n.candidate)).or_default().push(i);
    }
    let mut shared: HashMap<String, String> = HashMap::new(); // candidate -> shared enum name
    for i in 0..named.len() {
        if named[i].is_def {
            continue;
        }
        let cand = pascal(&named[i].candidate);
        let group = &groups[&cand];
        let same_enum = group
            .iter()
            .all(|&j| match (&named[j].shape, &named[i].shape) {
                (Shape::Enum(a), Shape::Enum(b)) => a == b,
                _ => false,
            });
        let name = if group.len() == 1 && !taken.contains(&cand) {
            taken.insert(cand.clone());
            cand
        } else if same_enum && (shared.contains_key(&cand) || !taken.contains(&cand)) {
            shared
                .entry(cand.clone())
                .or_insert_with(|| {
                    taken.insert(cand.clone());
                    cand.clone()
                })
                .clone()
        } else {
            let owner = named[i].owner.clone().unwrap_or_default();
            let owner_name = names.get(&owner).cloned().unwrap_or_default();
            fresh(&mut taken, format!("{owner_name}{cand}"))
        };
        names.insert(named[i].pointer.clone(), name);
    }

    // Boxing: a direct struct field whose target can reach the holder through direct fields.
    let direct = |f: &Field| match &f.ty {
        Ty::Named(p) => Some(p.clone()),
        _ => None,
    };
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for n in &named {
        if let Shape::Struct(fs) = &n.shape {
            edges.insert(n.pointer.clone(), fs.iter().filter_map(direct).collect());
        }
    }
    let reaches = |from: &str, to: &str| -> bool {
        let mut seen = HashSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(p) = stack.pop() {
            if p == to {
                return true;
            }
            if seen.insert(p.clone()) {
                stack.extend(edges.get(&p).into_iter().flatten().cloned());
            }
        }
        false
    };
    let mut boxed_targets = HashSet::new();
    for n in named.iter_mut() {
        let holder = n.pointer.clone();
        if let Shape::Struct(fs) = &mut n.shape {
            for f in fs.iter_mut() {
                if let Ty::Named(p) = &f.ty
                    && edges.contains_key(p)
                    && reaches(p, &holder)
                {
                    f.boxed = true;
                    boxed_targets.insert(names[p].clone());
                }
            }
        }
    }

    // Size: a direct struct field whose (estimated) target is larger than BOX_ABOVE bytes is boxed
    // too, so that deeply nested types (WAFv2 `Statement`, CloudFront `DistributionConfig`) stay
    // small on the stack. `From<T> for Val<Box<T>>` keeps `.into()` working unchanged.
    let index: HashMap<String, usize> = named
        .iter()
        .enumerate()
        .map(|(i, n)| (n.pointer.clone(), i))
        .collect();
    let mut memo: HashMap<String, usize> = HashMap::new();
    let mut decisions: HashSet<(String, usize)> = HashSet::new();
    for n in &named {
        estimate(&n.pointer, &named, &index, &mut memo, &mut decisions);
    }
    let top_sizes: Vec<Option<usize>> = fields
        .iter()
        .map(|f| match &f.ty {
            Ty::Named(p)
                if index
                    .get(p)
                    .is_some_and(|&i| matches!(named[i].shape, Shape::Struct(_))) =>
            {
                Some(estimate(p, &named, &index, &mut memo, &mut decisions))
            }
            _ => None,
        })
        .collect();
    for (f, size) in fields.iter_mut().zip(top_sizes) {
        if size.is_some_and(|s| s > BOX_ABOVE) {
            f.boxed = true;
            if let Ty::Named(p) = &f.ty {
                boxed_targets.insert(names[p].clone());
            }
        }
    }
    for (holder, i) in &decisions {
        if let Shape::Struct(fs) = &mut named[index[holder]].shape {
            let f = &mut fs[*i];
            f.boxed = true;
            if let Ty::Named(p) = &f.ty {
                boxed_targets.insert(names[p].clone());
            }
        }
    }

    let defs = schema
        .get("definitions")
        .and_then(Value::as_object)
        .map_or(0, |d| d.len());

    // Tags.
    let tagging = schema.get("tagging");
    let taggable = tagging
        .and_then(|t| t.get("taggable"))
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let tag_property = tagging
        .and_then(|t| t.get("tagProperty"))
        .and_then(Value::as_str)
        .and_then(|p| p.strip_prefix("/properties/"))
        .unwrap_or("Tags")
        .to_owned();
    let tag_style = match schema["properties"].get(&tag_property) {
        Some(node) if taggable => {
            let (_, n) = if str_types(node) == ["array"] {
                (String::new(), node)
            } else {
                deref(schema, String::new(), node)
            };
            match str_types(n).as_slice() {
                ["array"] => TagStyle::List,
                ["object"] => TagStyle::Map,
                _ => TagStyle::None,
            }
        }
        _ => TagStyle::None,
    };

    let attributes = if GETATT_ALL_PROPERTIES.contains(&type_name.as_str()) {
        let mut out = Vec::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                all_property_attributes(schema, v, k, &mut out);
            }
        }
        out
    } else {
        read_only_paths
            .iter()
            .filter_map(|p| p.strip_prefix("/properties/"))
            .map(|p| p.replace('/', "."))
            .collect()
    };
    let documentation_url = schema
        .get("documentationUrl")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| {
            format!(
                "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-{}-{}.html",
                svc.to_ascii_lowercase(),
                res.to_ascii_lowercase()
            )
        });
    Ok(ResourceModel {
        service: crate::names::service_module(svc),
        module: snake(res),
        struct_name,
        description: description(schema),
        documentation_url,
        source_url: schema
            .get("sourceUrl")
            .and_then(Value::as_str)
            .map(str::to_owned),
        create_only: create_only_paths
            .iter()
            .filter_map(|p| p.strip_prefix("/properties/"))
            .map(|p| p.replace('/', "."))
            .collect(),
        fields,
        named,
        names,
        boxed_targets,
        tag_style,
        tag_property,
        attributes,
        unreachable_definitions: defs - reached_defs,
        type_name,
    })
}
