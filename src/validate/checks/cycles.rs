//! SL121: resources that depend on each other in a cycle. A resource
//! depends on another through `DependsOn`, `Ref`, `Fn::GetAtt` and `${Name}`
//! / `${Name.Attribute}` in `Fn::Sub` (both branches of an `Fn::If`
//! count: CloudFormation orders resources before it evaluates conditions).
//! CloudFormation refuses such a template ("Circular dependency between
//! resources").

use std::collections::HashMap;

use super::Context;
use crate::syntax::tree::{Node, Value};
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::sub;

pub fn run(ctx: &Context, sink: &mut Sink) {
    let template = &ctx.template;
    let resources = template.resources();
    let index: HashMap<&str, usize> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, i))
        .collect();
    let edges: Vec<Vec<usize>> = resources
        .iter()
        .map(|r| {
            let mut out = Vec::new();
            dependencies(r.node, &mut |name| {
                if let Some(&j) = index.get(name) {
                    if !out.contains(&j) {
                        out.push(j);
                    }
                }
            });
            out
        })
        .collect();
    for component in strongly_connected(&edges) {
        let first = component[0];
        let self_loop = component.len() == 1 && edges[first].contains(&first);
        if component.len() < 2 && !self_loop {
            continue;
        }
        // DependsOn on itself is reported by SL115.
        if self_loop && depends_on_itself(resources[first].node, resources[first].id) {
            continue;
        }
        let path = cycle_path(&edges, &component);
        let shown: Vec<&str> = path.iter().map(|&i| resources[i].id).collect();
        for &member in &component {
            let r = &resources[member];
            sink.emit(
                &rules::DEPENDENCY_CYCLE,
                r.pos(),
                &r.ptr(),
                format!(
                    "`{}` is in a dependency cycle: {}; CloudFormation cannot order these resources",
                    r.id,
                    shown.join(" → ")
                ),
            );
        }
    }
}

fn depends_on_itself(node: &Node, id: &str) -> bool {
    match node.get("DependsOn") {
        Some(d) if d.as_str() == Some(id) => true,
        Some(d) => d
            .as_seq()
            .is_some_and(|items| items.iter().any(|n| n.as_str() == Some(id))),
        None => false,
    }
}

/// Calls `found` with every name a resource refers to.
pub fn dependencies(resource: &Node, found: &mut dyn FnMut(&str)) {
    if let Some(depends_on) = resource.get("DependsOn") {
        match depends_on.as_seq() {
            Some(items) => items.iter().filter_map(Node::as_str).for_each(&mut *found),
            None => depends_on.as_str().into_iter().for_each(&mut *found),
        }
    }
    for key in ["Properties", "Metadata", "CreationPolicy", "UpdatePolicy"] {
        if let Some(node) = resource.get(key) {
            references(node, found);
        }
    }
}

fn references(node: &Node, found: &mut dyn FnMut(&str)) {
    match node.intrinsic() {
        Some(("Ref", name)) => {
            if let Some(name) = name.as_str() {
                found(name);
            }
            return;
        }
        Some(("Fn::GetAtt", argument)) => {
            match argument.as_seq() {
                Some([resource, attribute]) => {
                    if let Some(r) = resource.as_str() {
                        found(r);
                    }
                    references(attribute, found);
                }
                _ => {
                    if let Some(name) = argument.as_str() {
                        found(name.split('.').next().unwrap_or(name));
                    }
                }
            }
            return;
        }
        Some(("Fn::Sub", argument)) => {
            if let Some((text, vars)) = sub::parts(argument) {
                if let Some(text) = text.as_str() {
                    for (_, name) in sub::variables(text) {
                        if vars.and_then(|v| v.get(name)).is_none() {
                            found(name.split('.').next().unwrap_or(name));
                        }
                    }
                }
                if let Some(vars) = vars {
                    references(vars, found);
                }
            }
            return;
        }
        _ => {}
    }
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|i| references(i, found)),
        Value::Map(entries) => entries.iter().for_each(|e| references(&e.value, found)),
        _ => {}
    }
}

/// Tarjan's strongly connected components, iterative (no recursion on
/// the number of resources). Components in discovery order, members
/// sorted.
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut next = 0;
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        // (node, next edge to look at)
        let mut work = vec![(start, 0usize)];
        index[start] = next;
        low[start] = next;
        next += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if let Some(&w) = edges[v].get(*i) {
                *i += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                out.push(component);
            }
        }
    }
    out
}

/// A cycle through the component's first member, as member indexes with
/// the first repeated at the end.
fn cycle_path(edges: &[Vec<usize>], component: &[usize]) -> Vec<usize> {
    let start = component[0];
    // Breadth-first from `start` inside the component back to `start`.
    let mut previous: HashMap<usize, usize> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &edges[v] {
            if !component.contains(&w) {
                continue;
            }
            if w == start {
                let mut path = vec![start];
                let mut at = v;
                while at != start {
                    path.push(at);
                    at = previous[&at];
                }
                path[1..].reverse();
                path.push(start);
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = previous.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    component.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_and_paths() {
        // 0 → 1 → 2 → 0, 3 → 3, 4 → 0
        let edges = vec![vec![1], vec![2], vec![0], vec![3], vec![0]];
        let components = strongly_connected(&edges);
        assert!(components.contains(&vec![0, 1, 2]));
        assert!(components.contains(&vec![3]));
        assert!(components.contains(&vec![4]));
        assert_eq!(cycle_path(&edges, &[0, 1, 2]), [0, 1, 2, 0]);
        // A long chain is handled without recursion.
        let chain: Vec<Vec<usize>> = (0..100_000).map(|i| vec![(i + 1) % 100_000]).collect();
        assert_eq!(strongly_connected(&chain).len(), 1);
    }
}
