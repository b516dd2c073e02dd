//! The app: stacks in deploy order, rendered together so that a value passed from one stack to
//! a construct of another becomes a cross-stack reference (an output in the producer, the
//! consuming reference in the consumer) that is checked against the deploy order.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::error::Error;
use super::stack::{Env, Stack};
use super::xref::{CrossStackMode, Foreign, Producer, Wiring};

/// An application: stacks in deploy order.
#[derive(Debug, Default)]
pub struct App {
    stacks: Vec<Stack>,
    mode: CrossStackMode,
}

/// One stack of a synthesized app.
#[derive(Debug, Clone, PartialEq)]
pub struct StackTemplate {
    /// Stack name.
    pub name: String,
    /// Where it deploys.
    pub env: Env,
    /// The template, with the cross-stack wiring in place.
    pub template: Value,
    /// The outputs of other stacks this stack reads, in order of first use.
    pub reads: Vec<StackRead>,
}

/// A value one stack reads from another stack's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackRead {
    /// The producer stack.
    pub stack: String,
    /// The producer's output.
    pub output: String,
    /// The consumer's parameter that receives it ([`CrossStackMode::Parameters`]); `None` when
    /// the consumer reads it with `Fn::GetStackOutput`.
    pub parameter: Option<String>,
}

impl App {
    /// An empty app (cross-stack references through `Fn::GetStackOutput`).
    pub fn new() -> App {
        App::default()
    }

    /// Adds a stack (deployed after the ones added before it).
    pub fn add_stack(&mut self, name: impl Into<String>, env: Env) -> Result<&mut Stack, Error> {
        let stack = Stack::new(name, env)?;
        if self.stacks.iter().any(|s| s.name() == stack.name()) {
            return Err(Error::Stack {
                stack: stack.name().to_owned(),
                message: "a stack with this name already exists in the app".into(),
            });
        }
        self.stacks.push(stack);
        let last = self.stacks.len() - 1;
        Ok(&mut self.stacks[last])
    }

    /// Stacks in deploy order.
    pub fn stacks(&self) -> &[Stack] {
        &self.stacks
    }

    /// Mutable access to a stack by name.
    pub fn stack_mut(&mut self, name: &str) -> Option<&mut Stack> {
        self.stacks.iter_mut().find(|s| s.name() == name)
    }

    /// How values cross stacks (default: `Fn::GetStackOutput`).
    pub fn cross_stack_mode(&self) -> CrossStackMode {
        self.mode
    }

    /// Chooses how values cross stacks.
    pub fn set_cross_stack_mode(&mut self, mode: CrossStackMode) {
        self.mode = mode;
    }

    /// Renders every stack (on two threads when there are several) and wires the values that
    /// cross stacks: the producer gets an output for each value another stack reads (unless it
    /// declares one with that value already), the consumer a `Fn::GetStackOutput` — or, in
    /// [`CrossStackMode::Parameters`], a parameter. A read from a stack that is not deployed
    /// earlier, or two stacks that read each other, is an error naming both.
    pub fn synthesize(&self) -> Result<Vec<StackTemplate>, Error> {
        let wiring = Arc::new(self.wiring());
        let rendered = render_all(&self.stacks, &wiring);
        let mut templates = Vec::with_capacity(self.stacks.len());
        let mut foreign: Vec<Vec<Foreign>> = Vec::with_capacity(self.stacks.len());
        for (stack, (template, found)) in self.stacks.iter().zip(rendered) {
            if let Some(other) = found.unknown.first() {
                return Err(Error::Stack {
                    stack: stack.name().to_owned(),
                    message: format!(
                        "uses a value of stack `{other}`, which is not in this app: add that stack to the app (before this one)"
                    ),
                });
            }
            templates.push(template?);
            foreign.push(found.foreign);
        }
        self.check_order(&foreign)?;
        self.add_outputs(&mut templates, &foreign)?;
        let mut out = Vec::with_capacity(templates.len());
        for ((stack, mut template), reads) in self.stacks.iter().zip(templates).zip(&foreign) {
            let reads = self.consumer_reads(stack, &mut template, reads)?;
            out.push(StackTemplate {
                name: stack.name().to_owned(),
                env: stack.env().clone(),
                template,
                reads,
            });
        }
        Ok(out)
    }

    fn wiring(&self) -> Wiring {
        let mut stacks = BTreeMap::new();
        for s in &self.stacks {
            let outputs = s
                .outputs()
                .iter()
                .filter(|(_, o)| o.condition.is_none() && o.value.stack() == Some(s.name()))
                .map(|(k, o)| (o.value.local().clone(), k.clone()))
                .collect();
            stacks.insert(
                s.key().clone(),
                Producer {
                    region: s.region().map(str::to_owned),
                    outputs,
                },
            );
        }
        Wiring {
            mode: self.mode,
            stacks,
        }
    }

    fn index_of(&self, name: &str) -> usize {
        self.stacks
            .iter()
            .position(|s| s.name() == name)
            .unwrap_or(usize::MAX)
    }

    fn check_order(&self, foreign: &[Vec<Foreign>]) -> Result<(), Error> {
        for (i, reads) in foreign.iter().enumerate() {
            let consumer = self.stacks[i].name();
            for r in reads {
                let p = self.index_of(&r.producer);
                if p < i {
                    continue;
                }
                let back = foreign.get(p).and_then(|reads| {
                    reads
                        .iter()
                        .find(|b| b.producer.as_ref() == consumer)
                        .map(|b| b.output.clone())
                });
                let message = match back {
                    Some(other) => format!(
                        "stacks `{consumer}` and `{}` read each other (`{consumer}` reads `{}`, `{}` reads `{other}`): cross-stack references must go one way; move the shared resources into one of them or into a third stack deployed first",
                        r.producer, r.output, r.producer
                    ),
                    None => format!(
                        "reads `{}` of stack `{}`, which is deployed after it: add `{}` to the app before `{consumer}`",
                        r.output, r.producer, r.producer
                    ),
                };
                return Err(Error::Stack {
                    stack: consumer.to_owned(),
                    message,
                });
            }
        }
        Ok(())
    }

    /// Adds to each producer the outputs its consumers read and it does not declare.
    fn add_outputs(&self, templates: &mut [Value], foreign: &[Vec<Foreign>]) -> Result<(), Error> {
        // producer index → output → (value, consumers)
        let mut wanted: BTreeMap<usize, Vec<(String, Value, Vec<String>)>> = BTreeMap::new();
        for (i, reads) in foreign.iter().enumerate() {
            for r in reads.iter().filter(|r| !r.declared) {
                let p = self.index_of(&r.producer);
                let list = wanted.entry(p).or_default();
                let value = r.expr.to_value();
                match list.iter_mut().find(|(name, _, _)| *name == r.output) {
                    Some((_, v, consumers)) if *v == value => {
                        let c = self.stacks[i].name().to_owned();
                        if !consumers.contains(&c) {
                            consumers.push(c);
                        }
                    }
                    Some(_) => {
                        return Err(Error::Stack {
                            stack: r.producer.to_string(),
                            message: format!(
                                "two different values read by other stacks would both be output `{}`: declare one of them as an output with another name",
                                r.output
                            ),
                        });
                    }
                    None => list.push((
                        r.output.clone(),
                        value,
                        vec![self.stacks[i].name().to_owned()],
                    )),
                }
            }
        }
        for (p, outputs) in wanted {
            let Some(Value::Object(t)) = templates.get_mut(p) else {
                continue;
            };
            let section = t
                .entry("Outputs")
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(section) = section else {
                continue;
            };
            for (name, value, consumers) in outputs {
                let readers = consumers
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                section.insert(
                    name,
                    json!({
                        "Description": format!("Read by {readers} (cross-stack reference made by formwork: keep it while they read it)"),
                        "Value": value,
                    }),
                );
            }
        }
        Ok(())
    }

    /// The consumer's reads; in [`CrossStackMode::Parameters`] also its parameters.
    fn consumer_reads(
        &self,
        stack: &Stack,
        template: &mut Value,
        reads: &[Foreign],
    ) -> Result<Vec<StackRead>, Error> {
        let mut out: Vec<StackRead> = Vec::with_capacity(reads.len());
        for r in reads {
            let parameter = match self.mode {
                CrossStackMode::GetStackOutput => None,
                CrossStackMode::Parameters => {
                    let name = r.output.clone();
                    let clash = out
                        .iter()
                        .any(|o| o.parameter.as_deref() == Some(name.as_str()))
                        || stack.has_parameter(&name)
                        || stack.resources().iter().any(|e| e.logical_id() == name);
                    if clash {
                        return Err(Error::Stack {
                            stack: stack.name().to_owned(),
                            message: format!(
                                "parameters mode: output `{name}` of stack `{}` needs a parameter `{name}` here, which is taken; declare the value as an output with another name in `{}`",
                                r.producer, r.producer
                            ),
                        });
                    }
                    add_parameter(template, &name, &r.producer);
                    Some(name)
                }
            };
            out.push(StackRead {
                stack: r.producer.to_string(),
                output: r.output.clone(),
                parameter,
            });
        }
        Ok(out)
    }
}

fn add_parameter(template: &mut Value, name: &str, producer: &str) {
    let Value::Object(t) = template else {
        return;
    };
    if !t.contains_key("Parameters") {
        // Parameters come right after the description, as in a stack that declares its own.
        let mut rebuilt = Map::new();
        for (k, v) in std::mem::take(t) {
            let after_header = k != "AWSTemplateFormatVersion" && k != "Description";
            if after_header && !rebuilt.contains_key("Parameters") {
                rebuilt.insert("Parameters".into(), Value::Object(Map::new()));
            }
            rebuilt.insert(k, v);
        }
        *t = rebuilt;
    }
    if let Some(Value::Object(p)) = t.get_mut("Parameters") {
        p.insert(
            name.to_owned(),
            json!({
                "Type": "String",
                "Description": format!("Output `{name}` of stack `{producer}` (formwork deploy passes it)"),
            }),
        );
    }
}

type Rendered = (Result<Value, Error>, super::xref::Found);

/// Renders every stack, in deploy order; interleaved halves on two threads.
fn render_all(stacks: &[Stack], wiring: &Arc<Wiring>) -> Vec<Rendered> {
    if stacks.len() < 2 {
        return stacks.iter().map(|s| s.render(wiring)).collect();
    }
    let (odd, even) = std::thread::scope(|scope| {
        let h = scope.spawn(|| {
            stacks
                .iter()
                .skip(1)
                .step_by(2)
                .map(|s| s.render(wiring))
                .collect::<Vec<_>>()
        });
        let even: Vec<_> = stacks.iter().step_by(2).map(|s| s.render(wiring)).collect();
        (h.join(), even)
    });
    let Ok(odd) = odd else {
        return stacks.iter().map(|s| s.render(wiring)).collect();
    };
    let mut out = Vec::with_capacity(stacks.len());
    let mut odd = odd.into_iter();
    for e in even {
        out.push(e);
        if let Some(o) = odd.next() {
            out.push(o);
        }
    }
    out
}
