//! Cross-stack references, resolved while a stack renders.
//!
//! Every `Ref`/`Fn::GetAtt` handed out by a stack ([`super::ResourceRef`] accessors,
//! [`super::Stack::add_parameter`]) is wrapped in [`Expr::Stack`], naming the stack it belongs
//! to. Rendering happens inside a [`Frame`] that knows which stack is being rendered and what
//! the other stacks of the app are: an expression of the same stack renders as itself; one of
//! another stack renders as the consuming side of a cross-stack reference — `Fn::GetStackOutput`
//! (the default: cross-Region, no `Export`) or a `Ref` to a parameter that `formwork deploy` fills
//! from the producer's output ([`CrossStackMode::Parameters`]) — and is recorded so that the app
//! can add the producing output and check the deploy order ([`super::App::synthesize`]).
//!
//! The frame is thread-local because the L1 structs render through serde, which has no place for
//! a context; [`render_in`] sets it for exactly one stack's rendering and takes it down after.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::expr::Expr;

/// How a value of one stack reaches a construct of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CrossStackMode {
    /// `Fn::GetStackOutput {StackName, OutputName, Region}` in the consumer: each stack deploys
    /// with a plain `aws cloudformation deploy`, across Regions, without exports. A weak
    /// reference: `formwork diff`/`deploy` guard the outputs a consumer reads.
    #[default]
    GetStackOutput,
    /// A parameter in the consumer whose value `formwork deploy` reads from the producer's output
    /// (`manifest.json` records the source): for partitions and emulators without
    /// `Fn::GetStackOutput`.
    Parameters,
}

/// What the rendering of one stack knows about the others.
#[derive(Debug, Default)]
pub(crate) struct Wiring {
    pub mode: CrossStackMode,
    /// By stack name: its Region and the outputs it declares itself (value without the stack
    /// wrapper → output id), so that a reference to a value the producer already outputs reuses
    /// that output.
    pub stacks: BTreeMap<Arc<str>, Producer>,
}

#[derive(Debug, Default)]
pub(crate) struct Producer {
    pub region: Option<String>,
    pub outputs: Vec<(Expr, String)>,
}

/// One value read from another stack.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Foreign {
    /// Producer stack.
    pub producer: Arc<str>,
    /// The expression in the producer (`Ref`/`Fn::GetAtt` of its own resource or parameter).
    pub expr: Expr,
    /// The output of the producer that carries it.
    pub output: String,
    /// Whether that output is one the producer declares itself.
    pub declared: bool,
}

struct Frame {
    current: Arc<str>,
    region: Option<String>,
    wiring: Arc<Wiring>,
    found: Vec<Foreign>,
    unknown: Vec<Arc<str>>,
}

thread_local! {
    static FRAME: RefCell<Option<Frame>> = const { RefCell::new(None) };
}

/// What rendering a stack found besides its template.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Values read from other stacks, in order of first use, without duplicates.
    pub foreign: Vec<Foreign>,
    /// Stacks referenced that the wiring does not know (not in the app).
    pub unknown: Vec<Arc<str>>,
}

/// Runs `render` with `current` as the stack being rendered.
pub(crate) fn render_in<T>(
    current: &Arc<str>,
    region: Option<&str>,
    wiring: &Arc<Wiring>,
    render: impl FnOnce() -> T,
) -> (T, Found) {
    let frame = Frame {
        current: current.clone(),
        region: region.map(str::to_owned),
        wiring: wiring.clone(),
        found: Vec::new(),
        unknown: Vec::new(),
    };
    let previous = FRAME.with(|f| f.borrow_mut().replace(frame));
    let out = render();
    let frame = FRAME.with(|f| std::mem::replace(&mut *f.borrow_mut(), previous));
    let found = frame
        .map(|f| Found {
            foreign: f.found,
            unknown: f.unknown,
        })
        .unwrap_or_default();
    (out, found)
}

/// The rendering of `expr`, which belongs to `stack`, in the stack being rendered: `None` when
/// it is the same stack (or nothing is being rendered), else the consuming reference.
pub(crate) fn resolve(stack: &Arc<str>, expr: &Expr) -> Option<Value> {
    FRAME.with(|f| {
        let mut f = f.borrow_mut();
        let frame = f.as_mut()?;
        if frame.current == *stack {
            return None;
        }
        let Some(producer) = frame.wiring.stacks.get(stack) else {
            if !frame.unknown.contains(stack) {
                frame.unknown.push(stack.clone());
            }
            return Some(Value::Null);
        };
        let (output, declared) = output_for(producer, expr);
        if !frame
            .found
            .iter()
            .any(|r| r.producer == *stack && r.expr == *expr)
        {
            frame.found.push(Foreign {
                producer: stack.clone(),
                expr: expr.clone(),
                output: output.clone(),
                declared,
            });
        }
        Some(match frame.wiring.mode {
            CrossStackMode::GetStackOutput => {
                let mut m = Map::new();
                m.insert("StackName".into(), json!(stack.as_ref()));
                m.insert("OutputName".into(), json!(output));
                if let Some(r) = &producer.region
                    && frame.region.as_deref() != Some(r.as_str())
                {
                    m.insert("Region".into(), json!(r));
                }
                json!({"Fn::GetStackOutput": Value::Object(m)})
            }
            CrossStackMode::Parameters => json!({ "Ref": output }),
        })
    })
}

/// The producer's output carrying `expr`: one it declares with that value, else a new one named
/// after the reference (`Vpc` for a `Ref`, `AlbDNSName` for `Fn::GetAtt [Alb, DNSName]`), with
/// `Out` appended while the name is taken by another declared output. The name depends only on
/// the producer and the expression, so every consumer, on any thread, picks the same one.
fn output_for(producer: &Producer, expr: &Expr) -> (String, bool) {
    if let Some((_, name)) = producer.outputs.iter().find(|(v, _)| v == expr) {
        return (name.clone(), true);
    }
    let mut name = match expr {
        Expr::Ref(id) => id.clone(),
        Expr::GetAtt(id, attr) => {
            let attr: String = attr.chars().filter(char::is_ascii_alphanumeric).collect();
            format!("{id}{attr}")
        }
        _ => "CrossStackValue".to_owned(),
    };
    while producer.outputs.iter().any(|(_, o)| *o == name) {
        name.push_str("Out");
    }
    (name, false)
}
