// Package bug is a held-out kernel (issue 14): a rule engine whose
// ExecuteContext starts a goroutine that exits only when the caller's
// context is cancelled, while Execute passes context.Background, so every
// Execute leaves that goroutine waiting forever.
//
// Upstream: hyperjumptech/grule-rule-engine#123 ("Fix Goroutine leak when ExecuteContext ctx value is not cancelled")
// Round: 5
//
// Bug: ExecuteContext starts a watcher goroutine that blocks on ctx.Done
// and then records that the run was cancelled; the engine's cycle loop
// checks that flag. The watcher's only exit is cancellation, so when the
// context is never cancelled, as with Execute's context.Background, the
// watcher outlives the run. The PR describes this; the knowledge base and
// the rule types are our reduction.
//
// Fix: the watcher is gone; the cycle loop checks ctx.Err each cycle.
package bug

import (
	"context"
	"errors"
	"sync/atomic"
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
	return g.ExecuteContext(context.Background(), kb, facts) // heldout:site
}

// ExecuteContext runs the rules until none fires or ctx is cancelled.
func (g *GruleEngine) ExecuteContext(ctx context.Context, kb *KnowledgeBase, facts map[string]any) error {
	var cancelled atomic.Bool
	go func() {
		<-ctx.Done() // heldout:site
		cancelled.Store(true)
	}()
	for cycle := uint64(0); cycle < g.MaxCycle; cycle++ {
		if cancelled.Load() {
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
