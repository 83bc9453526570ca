package jshistory

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/parleychat/parley/internal/model"
)

// Record is how one event is stored in the stream, and what `parley history export` writes, one
// JSON object a line. Field names are part of the stored format: add fields, never rename.
type Record struct {
	Kind    string            `json:"kind"`
	MsgID   string            `json:"msgid"`
	Time    time.Time         `json:"time"`
	Node    string            `json:"node,omitempty"`
	Nick    string            `json:"nick"`
	User    string            `json:"user,omitempty"`
	Host    string            `json:"host,omitempty"`
	Account string            `json:"account,omitempty"`
	Bot     bool              `json:"bot,omitempty"`
	Target  string            `json:"target,omitempty"`
	Status  string            `json:"status,omitempty"`
	Text    string            `json:"text,omitempty"`
	Params  []string          `json:"params,omitempty"`
	Tags    map[string]string `json:"tags,omitempty"`
}

var kindByName = func() map[string]model.Kind {
	m := map[string]model.Kind{}
	for k := model.KindPrivmsg; k.String() != "UNKNOWN"; k++ {
		m[k.String()] = k
	}
	return m
}()

// RecordOf returns the stored form of ev.
func RecordOf(ev *model.Event) Record {
	r := Record{
		Kind: ev.Kind.String(), MsgID: ev.ID, Time: ev.Time, Node: string(ev.Node),
		Nick: ev.Source.Nick, User: ev.Source.User, Host: ev.Source.Host, Account: ev.Account, Bot: ev.Bot,
		Target: ev.Target, Text: ev.Text, Params: ev.Params,
	}
	if ev.Status != 0 {
		r.Status = string(ev.Status)
	}
	if len(ev.Tags) > 0 {
		r.Tags = make(map[string]string, len(ev.Tags))
		for _, t := range ev.Tags {
			r.Tags[t.Key] = t.Value
		}
	}
	return r
}

// Event returns the event r stores. Tags come back sorted by key.
func (r Record) Event() *model.Event {
	ev := &model.Event{
		Kind: kindByName[r.Kind], ID: r.MsgID, Time: r.Time, Node: model.NodeID(r.Node),
		Source:  model.Prefix{Nick: r.Nick, User: r.User, Host: r.Host},
		Account: r.Account, Bot: r.Bot, Target: r.Target, Text: r.Text, Params: r.Params,
	}
	if r.Status != "" {
		ev.Status = r.Status[0]
	}
	for _, k := range sortedKeys(r.Tags) {
		ev.Tags = append(ev.Tags, model.Tag{Key: k, Value: r.Tags[k]})
	}
	return ev
}

func encode(ev *model.Event) ([]byte, error) { return json.Marshal(RecordOf(ev)) }

func decode(data []byte) (*model.Event, error) {
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	return r.Event(), nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
