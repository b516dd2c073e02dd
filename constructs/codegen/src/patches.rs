//! Schema quirks, fixed by JSON patches applied to a schema after it is loaded (never by editing
//! generated output, never by editing the vendored schema files, which stay byte-identical to
//! cfn-lint's so that validation sees AWS's schema). Each patch says why it exists.

use serde_json::Value;

/// One fix for one resource type's schema: a list of RFC 6902 operations (`add`, `replace`,
/// `remove`) in JSON.
#[derive(Debug, Clone, Copy)]
pub struct Patch {
    /// The CloudFormation type whose schema is patched.
    pub type_name: &'static str,
    /// Why the schema needs it.
    pub reason: &'static str,
    /// A JSON array of operations.
    pub ops: &'static str,
}

/// The patch list. Keep each entry minimal and explain it.
pub const PATCHES: &[Patch] = &[
    Patch {
        type_name: "AWS::S3::Bucket",
        reason: "TargetObjectKeyFormat declares its two members only inside `oneOf` branches (no \
                 top-level `properties`), which would make the whole type a serde_json::Value \
                 fallback. Lift the members into `properties` (the oneOf still says: exactly one) \
                 and give the empty-object member SimplePrefix an empty property list so it \
                 becomes an empty struct serializing to `{}`.",
        ops: r##"[
          {"op": "add", "path": "/definitions/TargetObjectKeyFormat/properties", "value": {
            "SimplePrefix": {"type": "object", "additionalProperties": false, "properties": {},
              "description": "This format defaults the prefix to the given log file prefix for delivering server access log file."},
            "PartitionedPrefix": {"$ref": "#/definitions/PartitionedPrefix"}
          }},
          {"op": "add", "path": "/definitions/TargetObjectKeyFormat/additionalProperties", "value": false}
        ]"##,
    },
    Patch {
        type_name: "AWS::CloudWatch::Alarm",
        reason: "EvaluationWindow.SlidingWindow is an empty object marker (`type: object`, no \
                 properties); give it an empty property list so it is an empty struct rather \
                 than a serde_json::Value fallback.",
        ops: r##"[
          {"op": "add", "path": "/definitions/EvaluationWindow/properties/SlidingWindow/properties", "value": {}}
        ]"##,
    },
];

/// Applies every patch listed for `type_name` to `schema`.
pub fn apply(type_name: &str, schema: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    for p in PATCHES.iter().filter(|p| p.type_name == type_name) {
        let ops: Value = serde_json::from_str(p.ops)
            .map_err(|e| format!("patch for {type_name}: bad JSON: {e}"))?;
        for op in ops
            .as_array()
            .ok_or_else(|| format!("patch for {type_name}: not an array"))?
        {
            apply_op(schema, op).map_err(|e| format!("patch for {type_name}: {e}"))?;
        }
        n += 1;
    }
    Ok(n)
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn apply_op(doc: &mut Value, op: &Value) -> Result<(), String> {
    let kind = op["op"].as_str().ok_or("operation without `op`")?;
    let path = op["path"].as_str().ok_or("operation without `path`")?;
    let (parent, last) = path
        .rsplit_once('/')
        .ok_or_else(|| format!("bad path {path}"))?;
    let last = unescape(last);
    let target = doc
        .pointer_mut(parent)
        .ok_or_else(|| format!("{kind} {path}: parent does not exist"))?;
    let obj = target
        .as_object_mut()
        .ok_or_else(|| format!("{kind} {path}: parent is not an object"))?;
    match kind {
        "add" => {
            obj.insert(last, op["value"].clone());
        }
        "replace" => {
            if !obj.contains_key(&last) {
                return Err(format!("replace {path}: no such member"));
            }
            obj.insert(last, op["value"].clone());
        }
        "remove" => {
            obj.remove(&last)
                .ok_or_else(|| format!("remove {path}: no such member"))?;
        }
        other => return Err(format!("unsupported op {other}")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_patch_parses() {
        for p in PATCHES {
            let v: Value = serde_json::from_str(p.ops).unwrap();
            assert!(
                v.as_array().is_some_and(|a| !a.is_empty()),
                "{}",
                p.type_name
            );
            assert!(!p.reason.is_empty());
        }
    }

    #[test]
    fn ops_add_replace_remove() {
        let mut doc = json!({"a": {"b": 1, "c": 2}});
        apply_op(&mut doc, &json!({"op": "add", "path": "/a/d", "value": 3})).unwrap();
        apply_op(
            &mut doc,
            &json!({"op": "replace", "path": "/a/b", "value": 9}),
        )
        .unwrap();
        apply_op(&mut doc, &json!({"op": "remove", "path": "/a/c"})).unwrap();
        assert_eq!(doc, json!({"a": {"b": 9, "d": 3}}));
        assert!(apply_op(&mut doc, &json!({"op": "remove", "path": "/a/zz"})).is_err());
    }
}
