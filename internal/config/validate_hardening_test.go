package config

import (
	"fmt"
	"reflect"
	"testing"
)

func TestFloodClassKeys(t *testing.T) {
	runKeyCases(t, []keyCase{
		{"limits: {flood: {messages: {burst: 10, rate: 1}, joins: {burst: 5, rate: 0.5}, nicks: {burst: 2, rate: 0.05}}}", ""},
		{"limits: {flood: {messages: {burst: 0, rate: 0}}}", ""},
		{"limits: {flood: {messages: {burst: -1}}}", "limits.flood.messages.burst"},
		{"limits: {flood: {joins: {burst: 5, rate: 0}}}", "limits.flood.joins.rate"},
		{"limits: {flood: {nicks: {burst: 1, rate: -2}}}", "limits.flood.nicks.rate"},
		{"limits: {flood: {nicks: {burst: 1, rate: .nan}}}", "limits.flood.nicks.rate"},
	})
}

func TestOperClassKeys(t *testing.T) {
	oper := "opers: [{name: alice, password: '" + testHash + "', class: %s}]\n"
	runKeyCases(t, []keyCase{
		{"oper_classes: [{name: helper, privileges: [kill, flood_exempt]}]", ""},
		{"oper_classes: [{name: helper, privileges: []}]", ""},
		{"oper_classes: [{name: helper, privileges: [fly]}]", "oper_classes[0].privileges[0]"},
		{"oper_classes: [{name: helper, privileges: [kill, kill]}]", "oper_classes[0].privileges[1]"},
		{"oper_classes: [{name: a}, {name: a}]", "oper_classes[1].name"},
		{"oper_classes: [{name: 'two words'}]", "oper_classes[0].name"},
		{fmt.Sprintf(oper, "admin"), ""},
		{fmt.Sprintf(oper, "helper") + "oper_classes: [{name: helper, privileges: [kill]}]", ""},
		{fmt.Sprintf(oper, "helper"), "opers[0].class"},
	})
}

func TestOperClassFor(t *testing.T) {
	c := Defaults()
	if p, ok := c.OperClassFor("admin"); !ok || !reflect.DeepEqual(p, Privileges) {
		t.Fatalf("built-in admin: %v, %v", p, ok)
	}
	if _, ok := c.OperClassFor("helper"); ok {
		t.Fatal("undefined class found")
	}
	c.OperClasses = []OperClass{{Name: "admin", Privileges: []string{"rehash"}}}
	if p, _ := c.OperClassFor("admin"); !reflect.DeepEqual(p, []string{"rehash"}) {
		t.Fatalf("a defined admin class must replace the built-in one, got %v", p)
	}
}

func TestFilterKeys(t *testing.T) {
	runKeyCases(t, []keyCase{
		{"filters: [{name: spam, pattern: 'buy now', action: block}]", ""},
		{"filters: [{name: spam, pattern: '(?i)x+', action: warn, targets: [channels], reason: Spam}]", ""},
		{"filters: [{name: spam, pattern: 'a', action: kill, targets: [private, channels]}]", ""},
		{"filters: [{name: spam, pattern: '(unclosed', action: block}]", "filters[0].pattern"},
		// Backreferences need backtracking, which RE2 refuses: no catastrophic patterns.
		{"filters: [{name: spam, pattern: '(a+)\\1', action: block}]", "filters[0].pattern"},
		{"filters: [{name: spam, pattern: '', action: block}]", "filters[0].pattern"},
		{"filters: [{name: spam, pattern: 'a', action: drop}]", "filters[0].action"},
		{"filters: [{name: spam, pattern: 'a', action: block, targets: [everyone]}]", "filters[0].targets[0]"},
		{"filters: [{name: spam, pattern: 'a', action: block, reason: \"bad\\u0001\"}]", "filters[0].reason"},
		{"filters: [{name: s, pattern: a, action: block}, {name: S, pattern: b, action: warn}]", "filters[1].name"},
		{"filters: [{pattern: a, action: block}]", "filters[0].name"},
	})
}
