package words

import (
	"slices"
	"sort"
)

// rootDense bounds the dense transition table of the root: runes below it
// (the Basic Multilingual Plane) are looked up by index.
const rootDense = 0x10000

// automaton is an Aho–Corasick automaton over rune keys. The trie's edges
// are stored as one sorted row per node (compressed rows); the root's edges
// are also a dense table, since most steps of a scan start there. A node's
// fields sit together, so a step touches few cache lines. It is read-only
// after build, so any number of goroutines may scan with it.
type automaton struct {
	nodes    []node
	edges    []edge
	rootNext []int32 // rootNext[r] is the root's child on r, or 0 (the root)
	maxLen   int
}

// node is one state of the automaton.
type node struct {
	first, end int32 // its edges are edges[first:end], sorted by rune
	fail       int32
	depth      int32
	outLen     int32 // length of the longest key that ends at this node, or 0
	outKey     int32 // index of that key
}

// edge is a trie edge.
type edge struct {
	r  rune
	to int32
}

// buildAutomaton builds the automaton of keys, which must be non-empty and
// distinct.
func buildAutomaton(keys [][]rune) *automaton {
	order := make([]int32, len(keys))
	for i := range order {
		order[i] = int32(i)
	}
	sort.Slice(order, func(i, j int) bool { return slices.Compare(keys[order[i]], keys[order[j]]) < 0 })
	a := &automaton{}
	parent, label, term := a.trie(keys, order)
	a.compress(parent, label)
	a.link(term)
	return a
}

// trie inserts the keys in sorted order, so each node's children are created
// in ascending rune order and only the last one can be shared. It returns
// each node's parent, incoming rune and key index (-1 for none).
func (a *automaton) trie(keys [][]rune, order []int32) (parent []int32, label []rune, term []int32) {
	parent, label, term = []int32{0}, []rune{0}, []int32{-1}
	a.nodes = []node{{}}
	lastChild := []int32{0}
	for _, k := range order {
		n := int32(0)
		for _, r := range keys[k] {
			if c := lastChild[n]; c != 0 && label[c] == r {
				n = c
				continue
			}
			c := int32(len(parent))
			parent, label, term = append(parent, n), append(label, r), append(term, -1)
			a.nodes = append(a.nodes, node{depth: a.nodes[n].depth + 1})
			lastChild = append(lastChild, 0)
			lastChild[n] = c
			n = c
		}
		term[n] = k
		a.maxLen = max(a.maxLen, len(keys[k]))
	}
	return parent, label, term
}

// compress lays the edges out as sorted rows, one per node, and fills the
// root's dense table.
func (a *automaton) compress(parent []int32, label []rune) {
	n := len(parent)
	for c := 1; c < n; c++ {
		a.nodes[parent[c]].end++
	}
	var at int32
	for i := range a.nodes {
		cnt := a.nodes[i].end
		a.nodes[i].first, a.nodes[i].end = at, at
		at += cnt
	}
	a.edges = make([]edge, n-1)
	var hi rune
	for c := 1; c < n; c++ { // children were created in ascending rune order
		p := &a.nodes[parent[c]]
		a.edges[p.end] = edge{r: label[c], to: int32(c)}
		p.end++
		if parent[c] == 0 {
			hi = max(hi, label[c])
		}
	}
	a.rootNext = make([]int32, min(int(hi)+1, rootDense))
	for _, e := range a.edges[a.nodes[0].first:a.nodes[0].end] {
		if e.r < rootDense {
			a.rootNext[e.r] = e.to
		}
	}
}

// link computes failure links and outputs breadth-first, so a node's
// failure target (shallower) is done before the node.
func (a *automaton) link(term []int32) {
	queue := make([]int32, 0, len(a.nodes))
	queue = append(queue, 0)
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, e := range a.edges[a.nodes[u].first:a.nodes[u].end] {
			c := &a.nodes[e.to]
			if u != 0 {
				c.fail = a.next(a.nodes[u].fail, e.r)
			}
			if term[e.to] >= 0 {
				c.outLen, c.outKey = c.depth, term[e.to]
			} else {
				c.outLen, c.outKey = a.nodes[c.fail].outLen, a.nodes[c.fail].outKey
			}
			queue = append(queue, e.to)
		}
	}
}

// child returns n's child on r, or -1.
func (a *automaton) child(n *node, r rune) int32 {
	lo, hi := n.first, n.end
	for lo < hi {
		mid := int32(uint32(lo+hi) >> 1)
		if a.edges[mid].r < r {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < n.end && a.edges[lo].r == r {
		return a.edges[lo].to
	}
	return -1
}

// next is the automaton's transition from state s on rune r.
func (a *automaton) next(s int32, r rune) int32 {
	for s != 0 {
		n := &a.nodes[s]
		if c := a.child(n, r); c >= 0 {
			return c
		}
		s = n.fail
	}
	if r >= 0 && r < rune(len(a.rootNext)) {
		return a.rootNext[r]
	}
	if r < rootDense {
		return 0
	}
	return max(a.child(&a.nodes[0], r), 0)
}
