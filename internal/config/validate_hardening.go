package config

import (
	"fmt"
	"math"
	"regexp"
	"strings"
)

// This file validates the abuse-protection keys: flood classes, oper classes and spam filters.

// floodClass checks one limits.flood.<class> bucket: burst 0 turns it off; otherwise the bucket
// must refill, or the class would be spent for good after the burst.
func (v *validator) floodClass(key string, f FloodClass) {
	v.intRange(key+".burst", f.Burst, 0, 100000)
	minRate := 0.0
	if f.Burst > 0 {
		minRate = math.SmallestNonzeroFloat64
	}
	if !(f.Rate >= minRate && f.Rate <= 100000) {
		v.add(key+".rate", "%v is out of range (more than 0 when burst is set, at most 100000 per second)", f.Rate)
	}
}

func (v *validator) operClasses(c *Config) {
	seen := map[string]int{}
	for i, oc := range c.OperClasses {
		key := fmt.Sprintf("oper_classes[%d]", i)
		if err := checkToken(oc.Name, 64); err != nil {
			v.check(key+".name", err)
		} else if prev, ok := seen[oc.Name]; ok {
			v.add(key+".name", "%q is also the name of oper_classes[%d]", oc.Name, prev)
		} else {
			seen[oc.Name] = i
		}
		dup := map[string]bool{}
		for j, p := range oc.Privileges {
			pk := fmt.Sprintf("%s.privileges[%d]", key, j)
			v.oneOf(pk, p, Privileges...)
			if dup[p] {
				v.add(pk, "%q is listed twice", p)
			}
			dup[p] = true
		}
	}
	for i, o := range c.Opers {
		if o.Class == "" || checkToken(o.Class, 64) != nil {
			continue // reported by the opers check
		}
		if _, ok := c.OperClassFor(o.Class); !ok {
			v.add(fmt.Sprintf("opers[%d].class", i), "%q is not defined in oper_classes (nor the built-in admin)", o.Class)
		}
	}
}

// Filter actions and targets.
var (
	filterActions = []string{"block", "warn", "kill"}
	filterTargets = []string{"channels", "private"}
)

// maxFilterPattern bounds a pattern's source: RE2 runs in linear time, but a huge program is
// still matched against every message.
const maxFilterPattern = 4096

func (v *validator) filters(filters []Filter) {
	seen := map[string]int{}
	for i, f := range filters {
		key := fmt.Sprintf("filters[%d]", i)
		if err := checkToken(f.Name, 64); err != nil {
			v.check(key+".name", err)
		} else if prev, ok := seen[strings.ToLower(f.Name)]; ok {
			v.add(key+".name", "%q is also the name of filters[%d]", f.Name, prev)
		} else {
			seen[strings.ToLower(f.Name)] = i
		}
		switch {
		case f.Pattern == "":
			v.add(key+".pattern", "must not be empty")
		case len(f.Pattern) > maxFilterPattern:
			v.add(key+".pattern", "is longer than %d bytes", maxFilterPattern)
		default:
			if _, err := regexp.Compile(f.Pattern); err != nil {
				v.add(key+".pattern", "is not a Go regular expression: %v", err)
			}
		}
		v.oneOf(key+".action", f.Action, filterActions...)
		for j, t := range f.Targets {
			v.oneOf(fmt.Sprintf("%s.targets[%d]", key, j), t, filterTargets...)
		}
		v.check(key+".reason", checkText(f.Reason, false))
		if len(f.Reason) > 300 {
			v.add(key+".reason", "is longer than 300 bytes")
		}
	}
}
