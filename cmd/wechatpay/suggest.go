package main

import (
	"cmp"
	"slices"
	"strings"

	"github.com/payforge/wechatpay/wechatpay"
)

// suggest returns the names of the operations a mistyped name most likely
// meant, at most three: the operation whose operationId it is; else those
// within a few edits of it (a third of its length, at least two), nearest
// first, keeping only those about as near as the nearest; else those whose
// name holds it, shortest first.
func suggest(ops []wechatpay.Operation, typed string) []string {
	for _, op := range ops {
		if op.ID == typed {
			return []string{op.Name}
		}
	}
	typed = strings.ToLower(typed)
	type near struct {
		name string
		dist int
	}
	byDistance := func(a, b near) int { return cmp.Or(cmp.Compare(a.dist, b.dist), strings.Compare(a.name, b.name)) }
	limit := max(2, len([]rune(typed))/3)
	var edits []near
	for _, op := range ops {
		if d := editDistance(typed, op.Name); d <= limit {
			edits = append(edits, near{op.Name, d})
		}
	}
	slices.SortFunc(edits, byDistance)
	var out []string
	for _, n := range edits {
		if len(out) < 3 && n.dist <= edits[0].dist+1 {
			out = append(out, n.name)
		}
	}
	if len(out) > 0 || typed == "" {
		return out
	}
	var holding []near
	for _, op := range ops {
		if strings.Contains(op.Name, typed) {
			holding = append(holding, near{op.Name, len(op.Name)})
		}
	}
	slices.SortFunc(holding, byDistance)
	for _, n := range holding[:min(3, len(holding))] {
		out = append(out, n.name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in characters.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
