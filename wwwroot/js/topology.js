// The topology canvas's drawing and pointer handling. Blazor owns the lab: this module draws the graph it is given,
// moves boxes and pans/zooms locally while the pointer is down, and reports intents (moved, attach, select, delete,
// undo, redo) to .NET, which changes the lab and sends the new graph back. A drag frame touches only the dragged box
// and its own lines, so the cost of a frame does not grow with the size of the lab.
// Geometry is shared with Model/Topology (AutoLayout, TopologyGeometry): .NET sizes each box to its texts and computes
// the viewBox that holds every box, line and label; the lines are drawn here by the same rules TopologyGeometry uses.
// Pointer positions are taken in the SVG's user units (through its screen matrix), so pan and zoom work in the
// viewBox's coordinates whatever the surface's size.

const SVG = 'http://www.w3.org/2000/svg';
const HEADER = 38;
const ITEM = 36;
const MIN_ZOOM = 0.05;
const MAX_ZOOM = 4;
const canvases = new WeakMap();

function make(name, attributes, parent) {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes ?? {})) {
        element.setAttribute(key, value);
    }
    parent?.appendChild(element);
    return element;
}

function text(parent, x, y, content, cls) {
    const element = make('text', { x, y, class: cls }, parent);
    element.textContent = content;
    return element;
}

function tooltip(parent, lines) {
    if (lines.length > 0) {
        make('title', {}, parent).textContent = lines.join('\n');
    }
}

/** Starts a canvas in `host` (an empty div Blazor leaves alone), reporting intents to `dotnet`. */
export function init(host, dotnet) {
    dispose(host);
    const svg = make('svg', { class: 'topo-svg', tabindex: '0', role: 'application', 'aria-label': 'Topology canvas' }, host);
    const viewport = make('g', { class: 'topo-viewport' }, svg);
    const canvas = {
        host, svg, viewport, dotnet,
        edgeLayer: make('g', { class: 'topo-edges' }, viewport),
        nodeLayer: make('g', { class: 'topo-nodes' }, viewport),
        overlay: make('g', { class: 'topo-overlay' }, viewport),
        view: { x: 0, y: 0, k: 1 },
        nodes: new Map(), items: new Map(), edgesByNode: new Map(), live: new Map(),
        selected: null, gesture: null, frame: 0, fitted: false, stats: { renders: 0, frames: 0, lastRenderMs: 0 },
    };
    canvases.set(host, canvas);
    // For the browser test and the benchmark (bench/NetLab.Web.Benchmarks): the state, a re-render of the last graph,
    // and one drag frame exactly as the pointer handler runs it.
    canvas.rerender = () => render(host, canvas.graph);
    canvas.dragFrame = (id, dx, dy) => benchmarkDragFrame(host, id, dx, dy);
    host.topology = canvas;
    svg.addEventListener('pointerdown', e => pointerDown(canvas, e));
    svg.addEventListener('pointermove', e => pointerMove(canvas, e));
    svg.addEventListener('pointerup', e => pointerUp(canvas, e));
    svg.addEventListener('pointercancel', () => { canvas.gesture = null; canvas.overlay.replaceChildren(); });
    svg.addEventListener('wheel', e => wheel(canvas, e), { passive: false });
    svg.addEventListener('keydown', e => keyDown(canvas, e));
}

export function dispose(host) {
    const canvas = canvases.get(host);
    if (canvas) {
        cancelAnimationFrame(canvas.frame);
        canvases.delete(host);
        delete host.topology;
    }
    host.replaceChildren();
}

/** Draws `graph` ({ nodes, edges }) in place of what was drawn; the view, the selection and live state stay. */
export function render(host, graph) {
    const canvas = canvases.get(host);
    if (!canvas) {
        return;
    }
    const started = performance.now();
    canvas.graph = graph;
    canvas.nodes.clear();
    canvas.items.clear();
    canvas.edgesByNode.clear();
    const nodeFragment = document.createDocumentFragment();
    for (const node of graph.nodes) {
        nodeFragment.appendChild(drawNode(canvas, node));
    }
    const edgeFragment = document.createDocumentFragment();
    for (const edge of graph.edges) {
        const drawn = drawEdge(canvas, edge);
        if (drawn) {
            edgeFragment.appendChild(drawn);
        }
    }
    canvas.nodeLayer.replaceChildren(nodeFragment);
    canvas.edgeLayer.replaceChildren(edgeFragment);
    for (const [id, change] of canvas.live) {
        applyLive(canvas, id, change);
    }
    if (canvas.selected && !canvas.nodes.has(canvas.selected) && !canvas.items.has(canvas.selected)) {
        canvas.selected = null;
    }
    markSelected(canvas);
    if (!canvas.fitted && graph.nodes.length > 0) {
        canvas.fitted = true;
        fit(host);
    }
    canvas.stats.renders++;
    canvas.stats.lastRenderMs = performance.now() - started;
}

function drawNode(canvas, node) {
    const width = node.width, height = node.height;
    const kind = node.kind.toLowerCase();
    const g = make('g', { class: `topo-node topo-${kind}`, 'data-id': node.id, transform: `translate(${node.x},${node.y})` });
    if (node.problems.length > 0) {
        g.classList.add('has-problem');
    }
    make('rect', { class: 'topo-box', width, height, rx: 6 }, g);
    text(g, 10, 17, node.title, 'topo-title');
    text(g, 10, 31, node.subtitle, 'topo-subtitle');
    tooltip(g, node.problems);
    const entry = { id: node.id, x: node.x, y: node.y, g, width, height, edges: [] };
    canvas.nodes.set(node.id, entry);
    node.items.forEach((item, index) => {
        const top = HEADER + index * ITEM;
        const row = make('g', { class: `topo-item topo-kind-${item.kind}`, 'data-id': item.id, transform: `translate(0,${top})` }, g);
        if (item.problems.length > 0) {
            row.classList.add('has-problem');
        }
        make('rect', { class: 'topo-row', x: 4, y: 1, width: width - 8, height: ITEM - 2, rx: 4 }, row);
        const dot = make('circle', { class: 'topo-state', cx: 14, cy: 13, r: 5 }, row);
        text(row, 24, 17, item.name, 'topo-name');
        text(row, width - 10, 17, item.label, 'topo-label');
        const live = text(row, 24, 30, '', 'topo-live');
        tooltip(row, item.problems);
        canvas.items.set(item.id, { id: item.id, node: entry, index, g: row, dot, live, liveTitle: null });
    });
    return g;
}

function drawEdge(canvas, edge) {
    const from = canvas.items.get(edge.from);
    const to = canvas.items.get(edge.to);
    if (!from || !to) {
        return null;
    }
    const g = make('g', { class: `topo-edge topo-edge-${edge.kind}`, 'data-from': edge.from, 'data-to': edge.to });
    const path = make('path', {}, g);
    const label = text(g, 0, 0, edge.label, 'topo-edge-label');
    const entry = { from, to, path, label };
    for (const node of new Set([from.node, to.node])) {
        node.edges.push(entry);
    }
    placeEdge(entry);
    return g;
}

function anchor(item, towards) {
    const node = item.node;
    const y = node.y + HEADER + item.index * ITEM + ITEM / 2;
    const right = towards !== null && towards > node.x + node.width / 2;
    return { x: right ? node.x + node.width : node.x, y, dx: right ? 1 : -1 };
}

function placeEdge(edge) {
    const same = edge.from.node === edge.to.node;
    const a = anchor(edge.from, same ? null : edge.to.node.x + edge.to.node.width / 2);
    const b = anchor(edge.to, same ? null : edge.from.node.x + edge.from.node.width / 2);
    const bend = same ? 40 : Math.max(40, Math.abs(b.x - a.x) / 2);
    const c1 = { x: a.x + a.dx * bend, y: a.y };
    const c2 = { x: b.x + b.dx * bend, y: b.y };
    edge.path.setAttribute('d', `M${a.x},${a.y} C${c1.x},${c1.y} ${c2.x},${c2.y} ${b.x},${b.y}`);
    // The curve's midpoint, where its label sits.
    edge.label.setAttribute('x', (a.x + 3 * c1.x + 3 * c2.x + b.x) / 8);
    edge.label.setAttribute('y', (a.y + 3 * c1.y + 3 * c2.y + b.y) / 8 - 4);
}

/** Live state of changed rows only: [{ id, state, text }]; kept so that a later render shows it too. */
export function live(host, changes) {
    const canvas = canvases.get(host);
    if (!canvas) {
        return;
    }
    for (const change of changes) {
        if (change.state === null) {
            canvas.live.delete(change.id);
        } else {
            canvas.live.set(change.id, change);
        }
        applyLive(canvas, change.id, change);
    }
}

function applyLive(canvas, id, change) {
    const item = canvas.items.get(id);
    if (!item) {
        return;
    }
    const state = change.state ?? 'none';
    if (item.g.getAttribute('data-operstate') !== state) {
        item.g.setAttribute('data-operstate', state);
    }
    item.live.textContent = change.text ?? '';
    // A line cut to fit its box keeps the whole text as its tooltip.
    if (change.title) {
        item.liveTitle ??= make('title', {}, item.live);
        item.liveTitle.textContent = change.title;
    } else if (item.liveTitle) {
        item.liveTitle.remove();
        item.liveTitle = null;
    }
}

/** Selects `id` (chosen in .NET, e.g. a box just added) and brings it into view when it is outside. */
export function select(host, id) {
    const canvas = canvases.get(host);
    if (!canvas) {
        return;
    }
    canvas.selected = id || null;
    markSelected(canvas);
    const target = canvas.nodes.get(canvas.selected) ?? canvas.items.get(canvas.selected)?.node;
    if (target) {
        const shown = visible(canvas);
        const { x, y, k } = canvas.view;
        const left = target.x * k + x, top = target.y * k + y;
        if (left < shown.left || top < shown.top || left + target.width * k > shown.right || top + target.height * k > shown.bottom) {
            const middle = { x: (shown.left + shown.right) / 2, y: (shown.top + shown.bottom) / 2 };
            canvas.view = { k, x: middle.x - (target.x + target.width / 2) * k, y: middle.y - (target.y + target.height / 2) * k };
            applyView(canvas);
        }
    }
}

function markSelected(canvas) {
    canvas.svg.querySelectorAll('.selected').forEach(e => e.classList.remove('selected'));
    const target = canvas.nodes.get(canvas.selected) ?? canvas.items.get(canvas.selected);
    target?.g.classList.add('selected');
}

export function zoom(host, factor) {
    const canvas = canvases.get(host);
    if (canvas) {
        const shown = visible(canvas);
        zoomAt(canvas, factor, (shown.left + shown.right) / 2, (shown.top + shown.bottom) / 2);
    }
}

/**
 * Shows every box, line and label: the SVG's viewBox becomes the one .NET computed for the last graph (its bounds with
 * a margin), and the pan and zoom start over. The browser scales the viewBox into the surface, whatever its size.
 */
export function fit(host) {
    const canvas = canvases.get(host);
    const box = canvas?.graph?.viewBox;
    if (!box) {
        return;
    }
    canvas.svg.setAttribute('viewBox', `${box.x} ${box.y} ${box.width} ${box.height}`);
    canvas.view = { x: 0, y: 0, k: 1 };
    applyView(canvas);
}

/** The canvas point in the middle of what is shown: where the palette puts a new box. */
export function viewCenter(host) {
    const canvas = canvases.get(host);
    if (!canvas) {
        return null;
    }
    const shown = visible(canvas);
    const middle = toCanvas(canvas, { x: (shown.left + shown.right) / 2, y: (shown.top + shown.bottom) / 2 });
    return [middle.x, middle.y];
}

/** The part of the SVG's user space the surface shows (more than the viewBox on the side the aspect leaves over). */
function visible(canvas) {
    const rect = canvas.svg.getBoundingClientRect();
    const a = toUser(canvas, rect.left, rect.top), b = toUser(canvas, rect.right, rect.bottom);
    return { left: a.x, top: a.y, right: b.x, bottom: b.y };
}

/** A point on the screen in the SVG's user units (the viewBox's), before the pan and zoom. */
function toUser(canvas, clientX, clientY) {
    const matrix = canvas.svg.getScreenCTM();
    if (!matrix) {
        const rect = canvas.svg.getBoundingClientRect();
        return { x: clientX - rect.left, y: clientY - rect.top };
    }
    const point = new DOMPoint(clientX, clientY).matrixTransform(matrix.inverse());
    return { x: point.x, y: point.y };
}

function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
}

function applyView(canvas) {
    const { x, y, k } = canvas.view;
    canvas.viewport.setAttribute('transform', `translate(${x},${y}) scale(${k})`);
}

function zoomAt(canvas, factor, px, py) {
    const view = canvas.view;
    const k = clamp(view.k * factor, MIN_ZOOM, MAX_ZOOM);
    canvas.view = { k, x: px - (px - view.x) * (k / view.k), y: py - (py - view.y) * (k / view.k) };
    applyView(canvas);
}

function local(canvas, e) {
    return toUser(canvas, e.clientX, e.clientY);
}

function toCanvas(canvas, point) {
    return { x: (point.x - canvas.view.x) / canvas.view.k, y: (point.y - canvas.view.y) / canvas.view.k };
}

function targetOf(e) {
    return e.target.closest?.('[data-id]') ?? null;
}

function pointerDown(canvas, e) {
    if (e.button !== 0) {
        return;
    }
    canvas.svg.focus({ preventScroll: true });
    const target = targetOf(e);
    const at = local(canvas, e);
    canvas.svg.setPointerCapture(e.pointerId);
    if (target?.classList.contains('topo-item')) {
        const item = canvas.items.get(target.dataset.id);
        const line = make('path', { class: 'topo-attach-line' }, canvas.overlay);
        canvas.gesture = { kind: 'attach', item, start: at, line, moved: false };
    } else if (target?.classList.contains('topo-node')) {
        const node = canvas.nodes.get(target.dataset.id);
        // Drawn last, so a dragged box passes over the others.
        canvas.nodeLayer.appendChild(node.g);
        canvas.gesture = { kind: 'move', node, start: at, origin: { x: node.x, y: node.y }, moved: false };
    } else {
        canvas.gesture = { kind: 'pan', start: at, origin: { ...canvas.view }, moved: false };
    }
}

function pointerMove(canvas, e) {
    const gesture = canvas.gesture;
    if (!gesture) {
        return;
    }
    gesture.at = local(canvas, e);
    gesture.client = { x: e.clientX, y: e.clientY };
    if (!gesture.moved && Math.hypot(gesture.at.x - gesture.start.x, gesture.at.y - gesture.start.y) < 3) {
        return;
    }
    gesture.moved = true;
    // One update per animation frame, however many pointer events arrive.
    if (!canvas.frame) {
        canvas.frame = requestAnimationFrame(() => {
            canvas.frame = 0;
            if (canvas.gesture) {
                dragFrame(canvas, canvas.gesture);
            }
        });
    }
}

/** One frame of a drag; exported through host.topology for the benchmark. */
function dragFrame(canvas, gesture) {
    canvas.stats.frames++;
    const dx = gesture.at.x - gesture.start.x, dy = gesture.at.y - gesture.start.y;
    if (gesture.kind === 'move') {
        const node = gesture.node;
        node.x = Math.round(gesture.origin.x + dx / canvas.view.k);
        node.y = Math.round(gesture.origin.y + dy / canvas.view.k);
        node.g.setAttribute('transform', `translate(${node.x},${node.y})`);
        for (const edge of node.edges) {
            placeEdge(edge);
        }
    } else if (gesture.kind === 'pan') {
        canvas.view = { ...gesture.origin, x: gesture.origin.x + dx, y: gesture.origin.y + dy };
        applyView(canvas);
    } else {
        const from = anchor(gesture.item, toCanvas(canvas, gesture.at).x);
        const to = toCanvas(canvas, gesture.at);
        gesture.line.setAttribute('d', `M${from.x},${from.y} L${to.x},${to.y}`);
    }
}

function pointerUp(canvas, e) {
    const gesture = canvas.gesture;
    canvas.gesture = null;
    canvas.overlay.replaceChildren();
    if (!gesture) {
        return;
    }
    if (canvas.svg.hasPointerCapture(e.pointerId)) {
        canvas.svg.releasePointerCapture(e.pointerId);
    }
    if (!gesture.moved) {
        // A click: select what is under the pointer (nothing, on the background).
        const id = gesture.kind === 'attach' ? gesture.item.id : gesture.kind === 'move' ? gesture.node.id : null;
        canvas.selected = id;
        markSelected(canvas);
        canvas.dotnet.invokeMethodAsync('Select', id ?? '');
        return;
    }
    gesture.at = local(canvas, e);
    dragFrame(canvas, gesture);
    if (gesture.kind === 'move') {
        // Only the drop goes to .NET: the position is saved once per drag, not once per frame.
        canvas.dotnet.invokeMethodAsync('MovedAsync', gesture.node.id, gesture.node.x, gesture.node.y);
    } else if (gesture.kind === 'attach') {
        const target = document.elementFromPoint(e.clientX, e.clientY)?.closest('[data-id]');
        if (target && target.dataset.id !== gesture.item.id) {
            canvas.dotnet.invokeMethodAsync('AttachAsync', gesture.item.id, target.dataset.id);
        }
    }
}

function wheel(canvas, e) {
    e.preventDefault();
    const at = local(canvas, e);
    zoomAt(canvas, Math.exp(-e.deltaY * 0.0015), at.x, at.y);
}

function keyDown(canvas, e) {
    const control = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    let handled = true;
    if (control && key === 'z' && !e.shiftKey) {
        canvas.dotnet.invokeMethodAsync('UndoAsync');
    } else if (control && (key === 'y' || (key === 'z' && e.shiftKey))) {
        canvas.dotnet.invokeMethodAsync('RedoAsync');
    } else if ((e.key === 'Delete' || e.key === 'Backspace') && canvas.selected) {
        canvas.dotnet.invokeMethodAsync('DeleteAsync', canvas.selected);
    } else if (!control && (e.key === '+' || e.key === '=')) {
        zoom(canvas.host, 1.2);
    } else if (!control && e.key === '-') {
        zoom(canvas.host, 1 / 1.2);
    } else if (!control && (key === 'f' || e.key === '0')) {
        fit(canvas.host);
    } else if (e.key.startsWith('Arrow')) {
        const step = 60;
        const dx = e.key === 'ArrowLeft' ? step : e.key === 'ArrowRight' ? -step : 0;
        const dy = e.key === 'ArrowUp' ? step : e.key === 'ArrowDown' ? -step : 0;
        canvas.view = { ...canvas.view, x: canvas.view.x + dx, y: canvas.view.y + dy };
        applyView(canvas);
    } else {
        handled = false;
    }
    if (handled) {
        e.preventDefault();
    }
}

/** For the benchmark: runs one drag frame of `id` by (dx, dy) exactly as a pointer would, and returns its time. */
function benchmarkDragFrame(host, id, dx, dy) {
    const canvas = canvases.get(host);
    const node = canvas.nodes.get(id);
    const started = performance.now();
    dragFrame(canvas, { kind: 'move', node, start: { x: 0, y: 0 }, at: { x: dx, y: dy }, origin: { x: node.x, y: node.y }, moved: true });
    return performance.now() - started;
}
