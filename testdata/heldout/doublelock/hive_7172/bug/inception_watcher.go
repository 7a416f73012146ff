// Package bug is a held-out kernel (issue 14): an agent supervisor's
// inception watcher, whose subscriber goroutine handles each event of
// the agent's JSONL stream under plukMu (locked at entry, unlocked by a
// defer); when the agent goes idle in the structure phase with buffered
// fact lines, the handler calls tryExtractFactsFromPluk, which locks
// plukMu again, and the subscriber blocks on itself for good.
//
// Upstream: hivecommons/hive#7172 ("🐛 fix: handlePlukEvent self-deadlocks re-locking plukMu", issue hivecommons/hive#7151)
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: the PR: "handlePlukEvent locks plukMu at entry with a deferred
// unlock. In the state_change/idle arm — structure phase, plukFactLines
// non-empty — it called tryExtractFactsFromPluk, which acquired plukMu
// again. sync.Mutex is not reentrant, so the Pluk subscriber goroutine
// blocked on itself and never returned ... The function re-locked at its
// tail too, to clear plukFactLines." Logging, re-kicks, the tmux buffer
// readers and the knowledge engine are reduced; the buffer interceptor
// that also takes plukMu stands for the other goroutines that then wait.
//
// Fix: a locked wrapper and an unlocked core: tryExtractFactsFromPluk
// keeps the locking for callers that hold nothing, the body becomes
// tryExtractFactsFromPlukLocked (plukMu held by the caller), and
// handlePlukEvent calls the core.
package bug

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"time"
)

// Phase is an inception phase.
type Phase string

// Phases of an inception.
const (
	PhaseCapture   Phase = "capture"
	PhaseStructure Phase = "structure"
)

const (
	minQuestionsForAdvance = 3
	minFactsForAdvance     = 3
)

// Question is a clarification question.
type Question struct {
	ID, Text, Category string
}

// Fact is an ideation fact.
type Fact struct {
	Title, Body, Type string
}

// InceptionState is the state of the inception.
type InceptionState struct {
	Phase   Phase
	Answers map[string]string
}

// Engine drives the inception.
type Engine interface {
	GetState() *InceptionState
	SetQuestions(qs []Question) error
	RecordFacts(ctx context.Context, facts []Fact) error
}

type plukEvent struct {
	Type string            `json:"type"`
	Data map[string]string `json:"data"`
}

// InceptionWatcher watches the brainstorm agent during an inception.
type InceptionWatcher struct {
	ctx       context.Context
	inception Engine

	plukMu              sync.Mutex
	plukQuestions       []Question
	plukFactLines       []string
	plukIdleInStructure bool
	rateLimitedUntil    time.Time
}

// runPlukSubscriber handles the agent's events until ctx is done.
func (w *InceptionWatcher) runPlukSubscriber(ctx context.Context, stream io.Reader) {
	scanner := bufio.NewScanner(stream)
	for scanner.Scan() {
		select {
		case <-ctx.Done():
			return
		default:
		}
		var event plukEvent
		if err := json.Unmarshal(scanner.Bytes(), &event); err != nil {
			continue
		}
		w.handlePlukEvent(event)
	}
}

// handlePlukEvent reacts to one event; it holds plukMu for field access.
func (w *InceptionWatcher) handlePlukEvent(event plukEvent) {
	w.plukMu.Lock() // heldout:site
	defer w.plukMu.Unlock()

	state := w.inception.GetState()
	if state == nil {
		return
	}

	switch event.Type {
	case "state_change":
		if event.Data["state"] == "idle" {
			if state.Phase == PhaseCapture && len(w.plukQuestions) > 0 {
				w.applyPlukQuestions(state)
				return
			}
			if state.Phase == PhaseStructure {
				w.plukIdleInStructure = true
				if len(w.plukFactLines) > 0 {
					w.tryExtractFactsFromPluk(w.ctx, state) // heldout:site
				} else {
					w.autoGenerateFacts(w.ctx, state)
				}
				return
			}
		} else if event.Data["state"] == "working" {
			w.plukIdleInStructure = false
		}

	case "rate_limit":
		w.rateLimitedUntil = time.Now().Add(3 * time.Minute)

	case "raw_output":
		line := event.Data["message"]
		lower := strings.ToLower(line)
		if state.Phase == PhaseStructure && len(w.plukFactLines) < 200 {
			for _, kw := range []string{"vision", "requirement", "constraint", "constitution"} {
				if strings.Contains(lower, kw) {
					w.plukFactLines = append(w.plukFactLines, line)
					break
				}
			}
		}
	}
}

// tryExtractFactsFromPluk extracts facts from the buffered output lines
// when the agent went idle without recording any.
func (w *InceptionWatcher) tryExtractFactsFromPluk(ctx context.Context, state *InceptionState) {
	w.plukMu.Lock() // heldout:site
	factLines := append([]string{}, w.plukFactLines...)
	w.plukMu.Unlock()

	if len(factLines) == 0 || len(state.Answers) == 0 {
		return
	}

	var facts []Fact
	seen := map[string]bool{}
	for _, line := range factLines {
		lower := strings.ToLower(line)
		for _, kw := range []string{"vision", "constitution", "requirement", "constraint"} {
			if strings.Contains(lower, kw) && !seen[kw] {
				seen[kw] = true
				if body := strings.TrimSpace(line); len(body) > 20 {
					facts = append(facts, Fact{Title: kw + " (from agent output)", Body: body, Type: kw})
				}
				break
			}
		}
	}

	if len(facts) < minFactsForAdvance {
		w.autoGenerateFacts(ctx, state)
		return
	}
	if err := w.inception.RecordFacts(ctx, facts); err != nil {
		return
	}

	w.plukMu.Lock()
	w.plukFactLines = nil
	w.plukMu.Unlock()
}

// autoGenerateFacts records facts made from the answers.
func (w *InceptionWatcher) autoGenerateFacts(ctx context.Context, state *InceptionState) {
	var facts []Fact
	for q, a := range state.Answers {
		facts = append(facts, Fact{Title: q, Body: a, Type: "requirement"})
	}
	_ = w.inception.RecordFacts(ctx, facts)
}

// applyPlukQuestions hands the intercepted questions to the engine; the
// caller holds plukMu.
func (w *InceptionWatcher) applyPlukQuestions(state *InceptionState) {
	if len(w.plukQuestions) < minQuestionsForAdvance {
		return
	}
	if err := w.inception.SetQuestions(w.plukQuestions); err != nil {
		return
	}
	w.plukQuestions = nil
}

// interceptFactsFromBuffer buffers fact-like lines read from the agent's
// terminal; the poll loop calls it.
func (w *InceptionWatcher) interceptFactsFromBuffer(lines []string) {
	w.plukMu.Lock() // heldout:site
	defer w.plukMu.Unlock()
	for _, line := range lines {
		if strings.Contains(strings.ToLower(line), "requirement") && len(w.plukFactLines) < 200 {
			w.plukFactLines = append(w.plukFactLines, line)
		}
	}
}
