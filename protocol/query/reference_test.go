package query

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// This file holds a second, plain evaluator of queries, used by the tests
// to check the streaming one: it reads content with encoding/xml into a list
// of nodes, selects nodes with a recursive match of the target against each
// node's path, and evaluates the criteria tree without short cuts.

// refNode is a node of the content: its path from the root (the last entry
// an attribute when attr is true) and its value as the package doc defines
// it.
type refNode struct {
	path  []xml.Name
	attr  bool
	value string
}

// refNodes reads every element and attribute of content with encoding/xml.
// It fails where encoding/xml does: the caller then has no reference.
func refNodes(content []byte) ([]refNode, error) {
	d := xml.NewDecoder(bytes.NewReader(content))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	type open struct {
		name xml.Name
		text strings.Builder
	}
	var (
		nodes []refNode
		stack []*open
	)
	path := func() []xml.Name {
		p := make([]xml.Name, len(stack))
		for i, o := range stack {
			p[i] = o.name
		}
		return p
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nodes, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, &open{name: t.Name})
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				v := strings.Map(func(r rune) rune {
					if r == '\t' || r == '\n' || r == '\r' {
						return ' '
					}
					return r
				}, a.Value)
				nodes = append(nodes, refNode{path: append(path(), a.Name), attr: true,
					value: strings.Trim(v, xmlSpace)})
			}
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		case xml.EndElement:
			top := stack[len(stack)-1]
			nodes = append(nodes, refNode{path: path(),
				value: strings.Trim(top.text.String(), xmlSpace)})
			stack = stack[:len(stack)-1]
		}
	}
}

// refSelects reports whether the target steps select a node with this path.
func refSelects(steps []step, path []xml.Name, attr bool) bool {
	if len(path) > 0 && !lastMayMatch(steps[len(steps)-1], path[len(path)-1], attr) {
		return false
	}
	return refSelectsFrom(steps, path, attr)
}

// lastMayMatch is a quick test on the node itself: a name node at the end
// of the target must name it.
func lastMayMatch(last step, name xml.Name, attr bool) bool {
	switch last.kind {
	case stepElem:
		return !attr && name.Local == last.local
	case stepAttr:
		return attr && name.Local == last.local
	}
	return true
}

func refSelectsFrom(steps []step, path []xml.Name, attr bool) bool {
	if len(steps) == 0 {
		return len(path) == 0
	}
	s := steps[0]
	if s.kind == stepDeep {
		if len(steps) == 1 {
			return len(path) >= 1
		}
		for k := 0; k <= len(path); k++ {
			if refSelectsFrom(steps[1:], path[k:], attr) {
				return true
			}
		}
		return false
	}
	if len(path) == 0 {
		return false
	}
	isAttr := attr && len(path) == 1
	name := path[0]
	switch s.kind {
	case stepElem:
		if isAttr || !refName(s, name) {
			return false
		}
	case stepAttr:
		if !isAttr || !refName(s, name) {
			return false
		}
	}
	return refSelectsFrom(steps[1:], path[1:], attr)
}

func refName(s step, n xml.Name) bool {
	return n.Local == s.local && (!s.qualified || n.Space == s.space)
}

// refMatch evaluates q over nodes.
func refMatch(q *Query, nodes []refNode, targets [][]step) bool {
	sc := newScratch()
	var eval func(n *node) bool
	eval = func(n *node) bool {
		if n.leaf >= 0 {
			l := q.leaves[n.leaf]
			hit := false
			for _, nd := range nodes {
				if refSelects(targets[l.target], nd.path, nd.attr) &&
					(l.pred == nil || l.pred.test([]byte(nd.value), sc)) {
					hit = true
				}
			}
			return hit != l.negate
		}
		result := n.and
		for _, k := range n.kids {
			if n.and {
				result = eval(k) && result
			} else {
				result = eval(k) || result
			}
		}
		return result
	}
	return eval(q.root)
}

// refTargets returns the steps of each target of q, parsed again from their
// canonical text.
func refTargets(q *Query) [][]step {
	out := make([][]step, len(q.targets))
	for i, a := range q.targets {
		out[i] = stepsOfKey(a.key)
	}
	return out
}

// stepsOfKey parses a target in canonical form, {uri}local names included.
func stepsOfKey(key string) []step {
	var steps []step
	for _, part := range splitKey(key) {
		var s step
		switch {
		case part == "*":
			s.kind = stepAny
		case part == "**":
			s.kind = stepDeep
		default:
			if strings.HasPrefix(part, "@") {
				s.kind, part = stepAttr, part[1:]
			}
			if strings.HasPrefix(part, "{") {
				end := strings.Index(part, "}")
				s.qualified, s.space, part = true, part[1:end], part[end+1:]
			}
			s.local = part
		}
		steps = append(steps, s)
	}
	return steps
}

// splitKey splits a canonical target at the slashes outside braces.
func splitKey(key string) []string {
	var parts []string
	depth, start := 0, 0
	for i, c := range key {
		switch c {
		case '{':
			depth++
		case '}':
			depth--
		case '/':
			if depth == 0 {
				parts = append(parts, key[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, key[start:])
}
