// Package fixed is the fixed version of chanrecv/telegrambotapi_538: the
// channel is closed on every path.
package fixed

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
		defer close(ch)

		update, err := bot.HandleUpdate(r)
		if err != nil {
			errMsg, _ := json.Marshal(map[string]string{"error": err.Error()})
			w.WriteHeader(http.StatusBadRequest)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(errMsg)
			return
		}

		ch <- *update
	}(w, r)

	return ch
}

// webhookHandler is a typical user of the API.
func webhookHandler(bot *BotAPI, handle func(Update)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for update := range bot.ListenForWebhookRespReqFormat(w, r) {
			handle(update)
		}
	}
}
