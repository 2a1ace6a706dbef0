package reports

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compileSchema compiles the embedded schema with format assertions on, so
// that "date-time" is checked too.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSONSchema))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("occheck.report.v1.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("occheck.report.v1.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return sch
}

func validate(t *testing.T, sch *jsonschema.Schema, data []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return sch.Validate(inst)
}

func TestJSONSchemaAcceptsReports(t *testing.T) {
	sch := compileSchema(t)
	strict := sampleRun()
	strict.Strict = true
	runs := []struct {
		name string
		run  *Run
	}{
		{"sample", sampleRun()},
		{"strict", strict},
		{"no specs", &Run{Schema: SchemaV1, Tool: "occheck"}},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			if err := validate(t, sch, render(t, WriteJSON, r.run)); err != nil {
				t.Errorf("WriteJSON output does not match the schema: %v", err)
			}
		})
	}
}

// TestJSONSchemaRejects makes sure the schema is not so loose that it
// accepts anything: each case breaks one rule of the format.
func TestJSONSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	tests := []struct {
		name   string
		mutate func(m map[string]any)
	}{
		{"wrong schema version", func(m map[string]any) { m["schema"] = "occheck.report/v2" }},
		{"missing specs", func(m map[string]any) { delete(m, "specs") }},
		{"missing target", func(m map[string]any) { delete(m, "target") }},
		{"unknown top-level field", func(m map[string]any) { m["extra"] = 1 }},
		{"start not a date-time", func(m map[string]any) { m["start"] = "yesterday" }},
		{"unknown verdict", func(m map[string]any) { spec(m, 0)["verdict"] = "maybe" }},
		{"lower-case level", func(m map[string]any) { spec(m, 0)["level"] = "must" }},
		{"unknown baseline state", func(m map[string]any) { spec(m, 0)["baseline"] = "old" }},
		{"missing message", func(m map[string]any) { delete(spec(m, 0), "message") }},
		{"fractional duration", func(m map[string]any) { spec(m, 0)["duration_ms"] = 1.5 }},
		{"exchange without method", func(m map[string]any) { delete(exchange(m), "method") }},
		{"header value not a list", func(m map[string]any) {
			exchange(m)["request_headers"] = map[string]any{"Accept": "application/json"}
		}},
		{"status out of range", func(m map[string]any) { exchange(m)["status"] = 42 }},
		{"client id missing", func(m map[string]any) { delete(m["target"].(map[string]any), "client_id") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(render(t, WriteJSON, sampleRun()), &m); err != nil {
				t.Fatal(err)
			}
			tc.mutate(m)
			data, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(t, sch, data); err == nil {
				t.Errorf("schema accepts a report with %s", tc.name)
			}
		})
	}
}

func spec(m map[string]any, i int) map[string]any {
	return m["specs"].([]any)[i].(map[string]any)
}

func exchange(m map[string]any) map[string]any {
	return spec(m, 0)["exchanges"].([]any)[0].(map[string]any)
}

// TestJSONSchemaCoversModel keeps the schema and the Go types in step: every
// JSON field of the model is a property of the schema and the other way
// round, and required matches the fields without omitempty.
func TestJSONSchemaCoversModel(t *testing.T) {
	var schema struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Required   []string                   `json:"required"`
		Defs       map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
			Required   []string                   `json:"required"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(JSONSchema, &schema); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		typ      reflect.Type
		props    map[string]json.RawMessage
		required []string
	}{
		{reflect.TypeFor[Run](), schema.Properties, schema.Required},
		{reflect.TypeFor[Target](), schema.Defs["target"].Properties, schema.Defs["target"].Required},
		{reflect.TypeFor[SpecResult](), schema.Defs["spec"].Properties, schema.Defs["spec"].Required},
		{reflect.TypeFor[Message](), schema.Defs["message"].Properties, schema.Defs["message"].Required},
		{reflect.TypeFor[Exchange](), schema.Defs["exchange"].Properties, schema.Defs["exchange"].Required},
	}
	for _, tc := range tests {
		t.Run(tc.typ.Name(), func(t *testing.T) {
			var fields, required []string
			for i := 0; i < tc.typ.NumField(); i++ {
				name, opts, _ := strings.Cut(tc.typ.Field(i).Tag.Get("json"), ",")
				fields = append(fields, name)
				if opts != "omitempty" {
					required = append(required, name)
				}
			}
			var props []string
			for p := range tc.props {
				props = append(props, p)
			}
			sort.Strings(fields)
			sort.Strings(props)
			sort.Strings(required)
			want := append([]string(nil), tc.required...)
			sort.Strings(want)
			if !reflect.DeepEqual(props, fields) {
				t.Errorf("schema properties %v, Go fields %v", props, fields)
			}
			if !reflect.DeepEqual(want, required) {
				t.Errorf("schema requires %v, Go always writes %v", want, required)
			}
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	want := sampleRun()
	got, err := ReadJSON(bytes.NewReader(render(t, WriteJSON, want)))
	if err != nil {
		t.Fatalf("ReadJSON: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("ReadJSON(WriteJSON(run)) differs from run:\n%s", firstDiff(string(g), string(w)))
	}
}

// TestPlanJSONSchema: a plan's JSON report validates against its schema,
// which takes each variant's report from the report schema.
func TestPlanJSONSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for name, raw := range map[string][]byte{"urn:occheck:schema:occheck.report.v1": JSONSchema, "urn:occheck:schema:occheck.plan.v1": PlanJSONSchema} {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s is not JSON: %v", name, err)
		}
		if err := c.AddResource(name, doc); err != nil {
			t.Fatal(err)
		}
	}
	sch, err := c.Compile("urn:occheck:schema:occheck.plan.v1")
	if err != nil {
		t.Fatalf("plan schema does not compile: %v", err)
	}
	var b bytes.Buffer
	if err := WriteJSONPlan(&b, []NamedRun{{Name: "alpha", Run: sampleRun()}, {Name: "beta", Run: sampleRun()}, {Name: "gamma", Error: "discovery: connection refused"}}); err != nil {
		t.Fatal(err)
	}
	if err := validate(t, sch, b.Bytes()); err != nil {
		t.Errorf("WriteJSONPlan output does not match the schema: %v", err)
	}
	bad := bytes.Replace(b.Bytes(), []byte(`"name": "alpha"`), []byte(`"name": "al pha"`), 1)
	if validate(t, sch, bad) == nil {
		t.Error("the schema takes a variant name with a space: it checks nothing")
	}
}
