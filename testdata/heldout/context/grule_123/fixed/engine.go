// Package fixed is the fixed version of context/grule_123: no watcher
// goroutine; the cycle loop checks ctx.Err.
package fixed

import (
	"context"
	"errors"
)

// Rule is one rule in the knowledge base.
type Rule interface {
	Evaluate(facts map[string]any) (bool, error)
	Execute(facts map[string]any) error
}

// KnowledgeBase holds the rules.
type KnowledgeBase struct {
	Rules []Rule
}

// GruleEngine runs rules until none fires.
type GruleEngine struct {
	MaxCycle uint64
}

var errCancelled = errors.New("rule execution cancelled")

// Execute runs the rules without cancellation.
func (g *GruleEngine) Execute(kb *KnowledgeBase, facts map[string]any) error {
	return g.ExecuteContext(context.Background(), kb, facts)
}

// ExecuteContext runs the rules until none fires or ctx is cancelled.
func (g *GruleEngine) ExecuteContext(ctx context.Context, kb *KnowledgeBase, facts map[string]any) error {
	for cycle := uint64(0); cycle < g.MaxCycle; cycle++ {
		if ctx.Err() != nil {
			return errCancelled
		}
		fired := false
		for _, r := range kb.Rules {
			ok, err := r.Evaluate(facts)
			if err != nil {
				return err
			}
			if ok {
				if err := r.Execute(facts); err != nil {
					return err
				}
				fired = true
				break
			}
		}
		if !fired {
			return nil
		}
	}
	return nil
}
