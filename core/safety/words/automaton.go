package words

import (
	"slices"
	"sort"
)

// rootDense bounds the dense transition table of the root: runes below it
// (the Basic Multilingual Plane) are looked up by index.
const rootDense = 0x10000

// automaton is an Aho–Corasick automaton over rune keys. The trie's edges
// are stored as one sorted array per node (compressed rows); the root's
// edges are also a dense table, since most steps of a scan start there. It
// is read-only after build, so any number of goroutines may scan with it.
type automaton struct {
	edgeStart []int32 // node n's edges are edgeRune/edgeTo[edgeStart[n]:edgeStart[n+1]]
	edgeRune  []rune
	edgeTo    []int32
	rootNext  []int32 // rootNext[r] is the root's child on r, or 0 (the root)
	fail      []int32
	depth     []int32
	outLen    []int32 // length of the longest key that ends at this node, or 0
	outKey    []int32 // index of that key
	maxLen    int
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
	a.depth = []int32{0}
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
			a.depth = append(a.depth, a.depth[n]+1)
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
	a.edgeStart = make([]int32, n+1)
	for c := 1; c < n; c++ {
		a.edgeStart[parent[c]+1]++
	}
	for i := 1; i <= n; i++ {
		a.edgeStart[i] += a.edgeStart[i-1]
	}
	a.edgeRune = make([]rune, n-1)
	a.edgeTo = make([]int32, n-1)
	fill := slices.Clone(a.edgeStart[:n])
	var hi rune
	for c := 1; c < n; c++ { // children were created in ascending rune order
		p := parent[c]
		a.edgeRune[fill[p]], a.edgeTo[fill[p]] = label[c], int32(c)
		fill[p]++
		if p == 0 {
			hi = max(hi, label[c])
		}
	}
	a.rootNext = make([]int32, min(int(hi)+1, rootDense))
	for e := a.edgeStart[0]; e < a.edgeStart[1]; e++ {
		if r := a.edgeRune[e]; r < rootDense {
			a.rootNext[r] = a.edgeTo[e]
		}
	}
}

// link computes failure links and outputs breadth-first, so a node's
// failure target (shallower) is done before the node.
func (a *automaton) link(term []int32) {
	n := len(a.depth)
	a.fail = make([]int32, n)
	a.outLen = make([]int32, n)
	a.outKey = make([]int32, n)
	queue := make([]int32, 0, n)
	queue = append(queue, 0)
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for e := a.edgeStart[u]; e < a.edgeStart[u+1]; e++ {
			c := a.edgeTo[e]
			if u != 0 {
				a.fail[c] = a.next(a.fail[u], a.edgeRune[e])
			}
			if term[c] >= 0 {
				a.outLen[c], a.outKey[c] = a.depth[c], term[c]
			} else {
				a.outLen[c], a.outKey[c] = a.outLen[a.fail[c]], a.outKey[a.fail[c]]
			}
			queue = append(queue, c)
		}
	}
}

// child returns n's child on r, or -1.
func (a *automaton) child(n int32, r rune) int32 {
	lo, hi := a.edgeStart[n], a.edgeStart[n+1]
	for lo < hi {
		mid := int32(uint32(lo+hi) >> 1)
		if a.edgeRune[mid] < r {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < a.edgeStart[n+1] && a.edgeRune[lo] == r {
		return a.edgeTo[lo]
	}
	return -1
}

// next is the automaton's transition from state s on rune r.
func (a *automaton) next(s int32, r rune) int32 {
	for s != 0 {
		if c := a.child(s, r); c >= 0 {
			return c
		}
		s = a.fail[s]
	}
	if r < rune(len(a.rootNext)) {
		return a.rootNext[r]
	}
	if r < rootDense {
		return 0
	}
	return max(a.child(0, r), 0)
}
