package api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/model"
)

// webhookTries is how many times one event is offered to a receiver: the first try and two
// retries, after WebhookBackoff and twice that.
const webhookTries = 3

// webhook sends the events one configured receiver asked for, one at a time and in order, from its
// own goroutine. Deliver only queues; when the receiver falls WebhookQueue events behind, new
// events are dropped (and counted in the log) so chat never waits for it.
type webhook struct {
	a       *API
	cfg     config.Webhook
	secret  []byte
	queue   chan *model.Event
	dropped atomic.Int64
	filter  eventFilter
}

// Deliver implements core.Sink. It never blocks. Safe for concurrent use.
func (h *webhook) Deliver(ev *model.Event) {
	select {
	case h.queue <- ev:
	default:
		h.dropped.Add(1)
	}
}

func (a *API) startWebhook(wc config.Webhook) {
	h := &webhook{a: a, cfg: wc, secret: []byte(wc.Secret), queue: make(chan *model.Event, a.opt.WebhookQueue),
		filter: eventFilter{fold: a.net.Fold}}
	if len(wc.Events) > 0 {
		h.filter.types = map[string]bool{}
		for _, e := range wc.Events {
			h.filter.types[e] = true
		}
	}
	if len(wc.Channels) > 0 {
		h.filter.channels = map[string]bool{}
		for _, c := range wc.Channels {
			h.filter.channels[a.net.Fold(c)] = true
		}
	}
	cancel := a.net.Observe(h, h.filter.match)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer cancel()
		h.run(a.ctx)
	}()
}

func (h *webhook) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-h.queue:
			if n := h.dropped.Swap(0); n > 0 {
				h.a.log.Warn("webhook: receiver too slow, events dropped", "url", h.cfg.URL, "dropped", n)
			}
			h.send(ctx, ev)
		}
	}
}

// send POSTs one event, retrying with exponential backoff on network errors, 408, 429 and 5xx.
func (h *webhook) send(ctx context.Context, ev *model.Event) {
	body, err := json.Marshal(toEventJSON(ev))
	if err != nil {
		return
	}
	sig := sign(h.secret, body)
	delay := h.a.opt.WebhookBackoff
	for try := 1; ; try++ {
		retry, err := h.post(ctx, ev, body, sig)
		if err == nil {
			return
		}
		if !retry || try == webhookTries {
			h.a.log.Warn("webhook: delivery failed", "url", h.cfg.URL, "event", ev.ID, "tries", try, "err", err)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay *= 2
	}
}

// post makes one attempt; retry says whether another attempt could succeed.
func (h *webhook) post(ctx context.Context, ev *model.Event, body []byte, sig string) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, h.a.opt.WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "parley/"+h.a.opt.Version)
	req.Header.Set("X-Parley-Event", eventType(ev.Kind))
	req.Header.Set("X-Parley-Delivery", ev.ID)
	req.Header.Set("X-Parley-Signature", sig)
	resp, err := h.a.opt.HTTPClient.Do(req)
	if err != nil {
		return true, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests,
		resp.StatusCode >= 500:
		return true, fmt.Errorf("receiver answered %s", resp.Status)
	}
	return false, fmt.Errorf("receiver answered %s", resp.Status)
}

// sign returns the X-Parley-Signature value of a webhook body: "sha256=" and the hex HMAC-SHA256 of
// the body keyed with the webhook's secret. Receivers compute the same over the raw body and compare
// in constant time. Safe for concurrent use.
func sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
