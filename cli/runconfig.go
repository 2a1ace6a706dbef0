package cli

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// applyConfigFile reads a YAML file whose keys are run flags (token-url or
// token_url), expands ${ENV} in its values and sets every flag the command
// line did not set: flags override the file.
func applyConfigFile(fs *flag.FlagSet, path string, getenv func(string) string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return usagef("--config: %v", unwrapPath(err))
	}
	var raw map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return usagef("--config %s: %s", path, strings.Join(strings.Fields(strings.TrimPrefix(err.Error(), "yaml: ")), " "))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return applyConfigMap(fs, raw, getenv, "--config "+path, set)
}

// applyConfigMap sets the flags a map names (keys are flag names, with _
// or -), ${ENV} expanded, except those in set (given on the command line,
// or by a map applied before); it adds the flags it sets to set. source
// names the map in errors.
func applyConfigMap(fs *flag.FlagSet, raw map[string]any, getenv func(string) string, source string, set map[string]bool) error {
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := strings.ReplaceAll(k, "_", "-")
		f := fs.Lookup(name)
		if f == nil || name == "config" || name == "plan" {
			return usagef("%s: unknown key %q (keys are the flag names of occheck run)", source, k)
		}
		if set[name] {
			continue
		}
		var values []string
		switch v := raw[k].(type) {
		case []any:
			for _, x := range v {
				values = append(values, fmt.Sprint(x))
			}
		case nil:
			continue
		default:
			values = []string{fmt.Sprint(v)}
		}
		for _, v := range values {
			v = os.Expand(v, getenv)
			if err := f.Value.Set(v); err != nil {
				return usagef("%s: %s: %v", source, k, err)
			}
		}
		set[name] = true
	}
	return nil
}
