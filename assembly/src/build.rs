//! From an [`App`] to an [`Assembly`]: synthesize the stacks (cross-stack wiring included) and
//! record, per stack, what `aws cloudformation deploy` needs.

use std::collections::BTreeMap;
use std::sync::Arc;

use formwork_constructs::core::{App, CrossStackMode, Error, Stack, StackTemplate};
use serde_json::Value;

use crate::layout;
use crate::model::{
    Assembly, CrossStack, FORMAT, FileArtifact, FileKind, OutputRef, OutputSpec, ParameterSpec,
    Source, StackArtifact, StackRead, ValueSource,
};
use crate::placeholder::placeholders_in;
use crate::runbook::RunbookSpec;

impl Assembly {
    /// Synthesizes `app`'s stacks into an assembly with no extra files and no runbook.
    pub fn from_app(source: Source, app: App) -> Result<Assembly, Error> {
        let templates = app.synthesize()?;
        let read_by = readers(&templates);
        let stacks = app
            .stacks()
            .iter()
            .zip(templates)
            .map(|(stack, t)| artifact(stack, t, &read_by))
            .collect();
        Ok(Assembly {
            format: FORMAT,
            source,
            cross_stack: match app.cross_stack_mode() {
                CrossStackMode::GetStackOutput => CrossStack::GetStackOutput,
                CrossStackMode::Parameters => CrossStack::Parameters,
            },
            stacks,
            files: Vec::new(),
            placeholders: BTreeMap::new(),
            runbook: None,
            app: Some(Arc::new(app)),
        })
    }

    /// Adds a file of the out dir. Its `${Name}` placeholders must each be filled by an output
    /// given in `placeholders` (or added before): an error names the ones that are not.
    pub fn add_file(
        &mut self,
        path: impl Into<String>,
        kind: FileKind,
        contents: impl Into<String>,
    ) -> Result<(), String> {
        let path = path.into();
        let contents = contents.into();
        if self.files.iter().any(|f| f.path == path) {
            return Err(format!("file `{path}` is added twice"));
        }
        let unknown: Vec<String> = placeholders_in(&contents)
            .into_iter()
            .filter(|p| !self.placeholders.contains_key(p))
            .collect();
        if !unknown.is_empty() {
            return Err(format!(
                "file `{path}` uses placeholder(s) {} that no stack output fills: add them with Assembly::add_placeholder first",
                unknown.join(", ")
            ));
        }
        self.files.push(FileArtifact {
            path,
            kind,
            contents,
        });
        Ok(())
    }

    /// Declares that placeholder `${name}` is filled by `output`, which must be an output of a
    /// stack of this assembly.
    pub fn add_placeholder(
        &mut self,
        name: impl Into<String>,
        output: OutputRef,
    ) -> Result<(), String> {
        let name = name.into();
        if !crate::placeholder::is_placeholder_name(&name) {
            return Err(format!("`{name}` is not a placeholder name"));
        }
        let known = self
            .stack(&output.stack)
            .is_some_and(|s| s.outputs.iter().any(|o| o.name == output.output));
        if !known {
            return Err(format!(
                "placeholder `{name}`: stack `{}` has no output `{}`",
                output.stack, output.output
            ));
        }
        match self.placeholders.get(&name) {
            Some(o) if *o != output => Err(format!(
                "placeholder `{name}` is filled from two outputs ({}.{} and {}.{})",
                o.stack, o.output, output.stack, output.output
            )),
            _ => {
                self.placeholders.insert(name, output);
                Ok(())
            }
        }
    }

    /// The placeholder text (`${Output}`) for a stack output, declared as filled by it: the
    /// placeholder is named after the output.
    pub fn placeholder_for(&mut self, output: &OutputRef) -> Result<String, String> {
        self.add_placeholder(output.output.clone(), output.clone())?;
        Ok(crate::placeholder::placeholder(&output.output))
    }

    /// Sets the runbook spec.
    pub fn set_runbook(&mut self, spec: RunbookSpec) {
        self.runbook = Some(spec);
    }
}

/// For each producer output, the stacks that read it.
fn readers(templates: &[StackTemplate]) -> BTreeMap<(String, String), Vec<String>> {
    let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for t in templates {
        for r in &t.reads {
            let list = out.entry((r.stack.clone(), r.output.clone())).or_default();
            if !list.contains(&t.name) {
                list.push(t.name.clone());
            }
        }
    }
    out
}

fn artifact(
    stack: &Stack,
    t: StackTemplate,
    read_by: &BTreeMap<(String, String), Vec<String>>,
) -> StackArtifact {
    let mut parameters: Vec<ParameterSpec> = stack
        .parameters()
        .iter()
        .map(|(name, p)| ParameterSpec {
            name: name.clone(),
            source: match (&p.default, &p.lookup) {
                (Some(_), _) => ValueSource::Default,
                (None, Some(l)) => ValueSource::Lookup { lookup: l.clone() },
                (None, None) => ValueSource::Operator {
                    hint: p
                        .description
                        .clone()
                        .unwrap_or_else(|| format!("the value of parameter {name}")),
                },
            },
            no_echo: p.no_echo,
        })
        .collect();
    for r in &t.reads {
        if let Some(p) = &r.parameter {
            parameters.push(ParameterSpec {
                name: p.clone(),
                source: ValueSource::StackOutput {
                    stack: r.stack.clone(),
                    output: r.output.clone(),
                },
                no_echo: false,
            });
        }
    }
    let outputs = t
        .template
        .get("Outputs")
        .and_then(Value::as_object)
        .map(|o| {
            o.keys()
                .map(|k| OutputSpec {
                    name: k.clone(),
                    read_by: read_by
                        .get(&(t.name.clone(), k.clone()))
                        .cloned()
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    StackArtifact {
        template: layout::template_file(&t.name),
        template_yaml: layout::template_yaml_file(&t.name),
        body_bytes: formwork_constructs::core::render::to_body(&t.template).len(),
        resources: stack.resource_count(),
        capabilities: capabilities(&t.template),
        tags: stack.tags().clone(),
        parameters,
        outputs,
        reads: t
            .reads
            .iter()
            .map(|r| StackRead {
                stack: r.stack.clone(),
                output: r.output.clone(),
                parameter: r.parameter.clone(),
            })
            .collect(),
        region: t.env.region.clone(),
        name: t.name,
        body: t.template,
    }
}

/// The `--capabilities` a template needs: `CAPABILITY_IAM` for IAM resources,
/// `CAPABILITY_NAMED_IAM` when one has an explicit name, `CAPABILITY_AUTO_EXPAND` for transforms.
pub fn capabilities(template: &Value) -> Vec<String> {
    const IAM: &[(&str, &str)] = &[
        ("AWS::IAM::Role", "RoleName"),
        ("AWS::IAM::ManagedPolicy", "ManagedPolicyName"),
        ("AWS::IAM::Policy", ""),
        ("AWS::IAM::User", "UserName"),
        ("AWS::IAM::Group", "GroupName"),
        ("AWS::IAM::InstanceProfile", "InstanceProfileName"),
        ("AWS::IAM::AccessKey", ""),
        ("AWS::IAM::UserToGroupAddition", ""),
        ("AWS::IAM::RolePolicy", ""),
        ("AWS::IAM::GroupPolicy", ""),
        ("AWS::IAM::UserPolicy", ""),
    ];
    let mut iam = false;
    let mut named = false;
    if let Some(res) = template.get("Resources").and_then(Value::as_object) {
        for r in res.values() {
            let ty = r.get("Type").and_then(Value::as_str).unwrap_or("");
            if let Some((_, name_prop)) = IAM.iter().find(|(t, _)| *t == ty) {
                iam = true;
                if !name_prop.is_empty()
                    && r.get("Properties")
                        .and_then(|p| p.get(*name_prop))
                        .is_some()
                {
                    named = true;
                }
            }
        }
    }
    let mut caps = Vec::new();
    if named {
        caps.push("CAPABILITY_NAMED_IAM".to_owned());
    } else if iam {
        caps.push("CAPABILITY_IAM".to_owned());
    }
    if template.get("Transform").is_some() {
        caps.push("CAPABILITY_AUTO_EXPAND".to_owned());
    }
    caps
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn capabilities_follow_iam_resources() {
        let t = json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}});
        assert_eq!(capabilities(&t), vec!["CAPABILITY_IAM"]);
        let t = json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x"}}}});
        assert_eq!(capabilities(&t), vec!["CAPABILITY_NAMED_IAM"]);
        let t = json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": {}});
        assert_eq!(capabilities(&t), vec!["CAPABILITY_AUTO_EXPAND"]);
        assert!(capabilities(&json!({"Resources": {}})).is_empty());
    }
}
