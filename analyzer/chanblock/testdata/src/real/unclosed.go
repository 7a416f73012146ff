package real

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// go-telegram-bot-api/telegram-bot-api#538: the webhook handler decodes
// one update, sends it on a buffered channel and closes it, all inside a
// function literal it calls at once, and returns the channel; when the
// decoding fails the literal returns first, so the channel comes back
// unclosed and the caller's range over it never ends. Fix: defer close.
// (A channel filled and closed before its maker returns: no goroutine is
// left to close it later.)
type hookUpdate struct {
	ID   int    `json:"id"`
	Text string `json:"text"`
}

func decodeUpdates(body []byte, buffer int) <-chan hookUpdate {
	ch := make(chan hookUpdate, buffer)
	func() {
		var u hookUpdate
		if err := json.Unmarshal(body, &u); err != nil {
			fmt.Println("bad update:", err)
			return
		}
		ch <- u
		close(ch)
	}()
	return ch
}

func serveHook(body []byte, handle func(hookUpdate)) {
	for u := range decodeUpdates(body, 1) { // want `decodeUpdates fills and closes the channel it returns before returning, but on the path through line \d+ it returns the channel unclosed \(no goroutine is left to close it\): this range never ends`
		handle(u)
	}
}

func decodeUpdatesFixed(body []byte, buffer int) <-chan hookUpdate {
	ch := make(chan hookUpdate, buffer)
	func() {
		defer close(ch)
		var u hookUpdate
		if err := json.Unmarshal(body, &u); err != nil {
			fmt.Println("bad update:", err)
			return
		}
		ch <- u
	}()
	return ch
}

func serveHookFixed(body []byte, handle func(hookUpdate)) {
	for u := range decodeUpdatesFixed(body, 1) {
		handle(u)
	}
}

// The same mistake written another way: the filler is the maker itself,
// the channel is one result of two, and the early return leaves a loop.
func splitWords(line string) (<-chan string, int) {
	out := make(chan string, 64)
	n := 0
	for _, w := range strings.Fields(line) {
		if w == "--" {
			return out, n
		}
		out <- w
		n++
	}
	close(out)
	return out, n
}

func printWords(line string) {
	words, _ := splitWords(line)
	for w := range words { // want `splitWords fills and closes the channel it returns before returning, but on the path through line \d+ it returns the channel unclosed`
		fmt.Println(w)
	}
}

// And through a named helper that closes only when it succeeds.
func emitAll(ch chan<- string, items []string) error {
	for _, it := range items {
		if it == "" {
			return errors.New("empty item")
		}
		ch <- it
	}
	close(ch)
	return nil
}

func itemsOf(items []string) chan string {
	ch := make(chan string, len(items))
	if err := emitAll(ch, items); err != nil {
		fmt.Println(err)
	}
	return ch
}

func countItems(items []string) int {
	n := 0
	for range itemsOf(items) { // want `itemsOf fills and closes the channel it returns before returning, but on the path through line \d+ it returns the channel unclosed`
		n++
	}
	return n
}

// Look-alike: the caller takes one value and does not wait for the close
// (a single receive, not a range).
func firstWord(line string) string {
	words, _ := splitWords(line)
	return <-words
}

// Look-alike: the helper closes on every path, the failing one included.
func emitAllClosed(ch chan<- string, items []string) error {
	defer close(ch)
	for _, it := range items {
		if it == "" {
			return errors.New("empty item")
		}
		ch <- it
	}
	return nil
}

func itemsOfClosed(items []string) chan string {
	ch := make(chan string, len(items))
	if err := emitAllClosed(ch, items); err != nil {
		fmt.Println(err)
	}
	return ch
}

func countItemsClosed(items []string) int {
	n := 0
	for range itemsOfClosed(items) {
		n++
	}
	return n
}

// Look-alike: the early return hands back nil, not the open channel, and
// the caller checks for it.
func splitWordsOrNil(line string) <-chan string {
	out := make(chan string, 64)
	for _, w := range strings.Fields(line) {
		if w == "--" {
			return nil
		}
		out <- w
	}
	close(out)
	return out
}

func printWordsOrNil(line string) {
	words := splitWordsOrNil(line)
	if words == nil {
		return
	}
	for w := range words {
		fmt.Println(w)
	}
}

// Look-alike: a goroutine fills the channel and closes it on every path;
// the maker returns at once.
func wordsAsync(line string) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		for _, w := range strings.Fields(line) {
			if w == "--" {
				return
			}
			out <- w
		}
	}()
	return out
}

func printWordsAsync(line string) {
	for w := range wordsAsync(line) {
		fmt.Println(w)
	}
}

// The caller may also receive in a loop until ok is false, which waits
// for the close just as a range does.
func countWords(line string) int {
	words, _ := splitWords(line)
	n := 0
	for {
		_, ok := <-words // want `splitWords fills and closes the channel it returns before returning, but on the path through line \d+ it returns the channel unclosed`
		if !ok {
			return n
		}
		n++
	}
}
