// Package bug is a held-out kernel (issue 14): a returned updates channel
// that is closed only on the success path, ranged over by the caller.
//
// Upstream: go-telegram-bot-api/telegram-bot-api#538 ("Close hanging channel in ListenForWebhookRespReqFormat")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: ListenForWebhookRespReqFormat handles one webhook request and
// returns a channel with its update. When HandleUpdate fails it writes an
// error response and returns without closing the channel, so the caller's
// "for update := range ..." waits forever (per the PR).
//
// Fix: the channel is closed with defer, on every path.
package bug

import (
	"encoding/json"
	"io"
	"net/http"
)

// Update is an incoming Telegram update.
type Update struct {
	UpdateID int    `json:"update_id"`
	Text     string `json:"text"`
}

// UpdatesChannel is the channel for getting updates.
type UpdatesChannel <-chan Update

// BotAPI allows you to interact with the Telegram Bot API.
type BotAPI struct {
	Buffer int
}

// HandleUpdate parses and returns the update of a webhook request.
func (bot *BotAPI) HandleUpdate(r *http.Request) (*Update, error) {
	var update Update
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &update); err != nil {
		return nil, err
	}
	return &update, nil
}

// ListenForWebhookRespReqFormat handles a single webhook request and
// returns its update on the channel.
func (bot *BotAPI) ListenForWebhookRespReqFormat(w http.ResponseWriter, r *http.Request) UpdatesChannel {
	ch := make(chan Update, bot.Buffer)

	func(w http.ResponseWriter, r *http.Request) {
		update, err := bot.HandleUpdate(r)
		if err != nil {
			errMsg, _ := json.Marshal(map[string]string{"error": err.Error()})
			w.WriteHeader(http.StatusBadRequest)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(errMsg)
			return // heldout:site
		}

		ch <- *update
		close(ch)
	}(w, r)

	return ch
}

// webhookHandler is a typical user of the API.
func webhookHandler(bot *BotAPI, handle func(Update)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for update := range bot.ListenForWebhookRespReqFormat(w, r) { // heldout:site
			handle(update)
		}
	}
}
