// helm_render renders a Helm chart the way `helm template` does, for tests on machines without
// helm (Debian 12 has no helm package). It uses the same engine as Helm: Go's text/template with
// the sprig function library (Debian's golang-github-masterminds-sprig-dev), plus Helm's own
// functions (include, tpl, required, toYaml, fromYaml, toJson, fromJson, lookup) and built-in
// objects (.Values, .Release, .Chart, .Capabilities, .Template).
//
// Build (GOPATH mode, Debian packages golang-go, golang-github-masterminds-sprig-dev,
// golang-gopkg-yaml.v3-dev; no network):
//
//	GO111MODULE=off GOPATH=$tmp:/usr/share/gocode go build -o $tmp/helm_render tests/tools/helm_render
//
// Use:
//
//	helm_render [-f values.yaml]... [--set a.b=c[,d=e]]... [--set-string a=1]... \
//	  [--name RELEASE] [--namespace NS] [--api-versions GROUP/VERSION]... [--notes] CHART_DIR
//
// It prints the rendered manifests as one multi-document YAML stream, each document headed by
// `# Source: CHART/templates/FILE` and ordered by kind as Helm installs them (or, with --notes,
// the rendered NOTES.txt). Any template error (required values, fail, bad syntax) exits 1 with
// Helm-like messages.
//
// What differs from Helm: no subcharts or dependencies, no .Files, no schema validation
// (values.schema.json), `lookup` always returns an empty map (as in `helm template`), toYaml
// indents sequences under keys (yaml.v3) where Helm's does not (same data), and --set supports
// `a.b=v`, `a[0]=v`, `a={x,y}`, `\.` and `\,` escapes, not every strvals corner.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// VersionSet is .Capabilities.APIVersions: `.Capabilities.APIVersions.Has "apps/v1"`.
type VersionSet []string

// Has tells whether the API group/version (or group/version/Kind) is available.
func (v VersionSet) Has(s string) bool {
	for _, x := range v {
		if x == s {
			return true
		}
	}
	return false
}

// The order in which Helm installs kinds (helm.sh/helm/v3/pkg/releaseutil.InstallOrder).
var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
	"PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
	"ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
	"CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
	"ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
	"DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
	"APIService",
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "helm_render: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	var valueFiles, sets, setStrings, apiVersions multiFlag
	flag.Var(&valueFiles, "f", "values file merged over the chart's values.yaml (repeatable)")
	flag.Var(&valueFiles, "values", "same as -f")
	flag.Var(&sets, "set", "a.b=value[,c=value] override, typed like helm --set (repeatable)")
	flag.Var(&setStrings, "set-string", "like --set, values kept as strings (repeatable)")
	flag.Var(&apiVersions, "api-versions", "extra API version for .Capabilities.APIVersions (repeatable)")
	name := flag.String("name", "sluice", "release name (.Release.Name)")
	namespace := flag.String("namespace", "default", "release namespace (.Release.Namespace)")
	kubeVersion := flag.String("kube-version", "v1.30.0", "Kubernetes version for .Capabilities.KubeVersion")
	notes := flag.Bool("notes", false, "print the rendered NOTES.txt instead of the manifests")
	output := flag.String("o", "", "write to this file instead of standard output")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: helm_render [-f FILE]... [--set K=V]... [--name N] [--namespace NS] [--notes] CHART_DIR")
		os.Exit(2)
	}
	chartDir := flag.Arg(0)

	chart, err := loadChart(chartDir)
	if err != nil {
		fail("%v", err)
	}
	values, err := loadValues(filepath.Join(chartDir, "values.yaml"), false)
	if err != nil {
		fail("%v", err)
	}
	for _, f := range valueFiles {
		v, err := loadValues(f, true)
		if err != nil {
			fail("%v", err)
		}
		mergeValues(values, v)
	}
	for _, s := range sets {
		if err := applySet(values, s, false); err != nil {
			fail("--set %q: %v", s, err)
		}
	}
	for _, s := range setStrings {
		if err := applySet(values, s, true); err != nil {
			fail("--set-string %q: %v", s, err)
		}
	}

	major, minor := "1", "30"
	if m := regexp.MustCompile(`^v?(\d+)\.(\d+)`).FindStringSubmatch(*kubeVersion); m != nil {
		major, minor = m[1], m[2]
	}
	apis := VersionSet{"v1", "apps/v1", "batch/v1", "policy/v1", "networking.k8s.io/v1",
		"rbac.authorization.k8s.io/v1", "autoscaling/v2", "storage.k8s.io/v1"}
	apis = append(apis, apiVersions...)
	top := map[string]interface{}{
		"Values": values,
		"Chart":  chart,
		"Release": map[string]interface{}{
			"Name": *name, "Namespace": *namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{
				"Version": *kubeVersion, "GitVersion": *kubeVersion, "Major": major, "Minor": minor,
			},
			"APIVersions": apis,
			"HelmVersion": map[string]interface{}{"Version": "v3.14.0"},
		},
	}

	out, err := render(chartDir, chart["Name"].(string), top, *notes)
	if err != nil {
		fail("%v", err)
	}
	if *output != "" {
		if err := os.WriteFile(*output, []byte(out), 0o644); err != nil {
			fail("%v", err)
		}
		return
	}
	fmt.Print(out)
}

// loadChart reads Chart.yaml into the shape of Helm's .Chart (Name, Version, AppVersion, ...).
func loadChart(dir string) (map[string]interface{}, error) {
	path := filepath.Join(dir, "Chart.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]interface{}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if raw["apiVersion"] != "v2" {
		return nil, fmt.Errorf("%s: apiVersion must be v2, got %v", path, raw["apiVersion"])
	}
	for _, k := range []string{"name", "version"} {
		if s, _ := raw[k].(string); s == "" {
			return nil, fmt.Errorf("%s: %s is required", path, k)
		}
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+([-+].*)?$`).MatchString(raw["version"].(string)) {
		return nil, fmt.Errorf("%s: version %q is not SemVer 2", path, raw["version"])
	}
	chart := map[string]interface{}{}
	for k, v := range raw {
		key := strings.ToUpper(k[:1]) + k[1:]
		if k == "apiVersion" {
			key = "APIVersion"
		}
		chart[key] = v
	}
	for _, k := range []string{"AppVersion", "Description", "Type", "KubeVersion", "Home"} {
		if _, ok := chart[k]; !ok {
			chart[k] = ""
		}
	}
	return chart, nil
}

// loadValues reads a values file as Helm does: through JSON, so numbers are float64.
func loadValues(path string, mustExist bool) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if !mustExist && errors.Is(err, os.ErrNotExist) {
			return map[string]interface{}{}, nil
		}
		return nil, err
	}
	var raw interface{}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if raw == nil {
		return map[string]interface{}{}, nil
	}
	j, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var out map[string]interface{}
	if err := json.Unmarshal(j, &out); err != nil {
		return nil, fmt.Errorf("%s: the top level must be a map: %v", path, err)
	}
	return out, nil
}

// mergeValues merges src into dst: maps recursively, anything else replaced; null deletes.
func mergeValues(dst, src map[string]interface{}) {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		sm, sok := v.(map[string]interface{})
		dm, dok := dst[k].(map[string]interface{})
		if sok && dok {
			mergeValues(dm, sm)
			continue
		}
		dst[k] = v
	}
}

// splitUnescaped splits s at sep outside `\` escapes and `{...}` lists.
func splitUnescaped(s string, sep byte) []string {
	var parts []string
	var cur strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(c)
			cur.WriteByte(s[i+1])
			i++
		case c == '{':
			depth++
			cur.WriteByte(c)
		case c == '}':
			depth--
			cur.WriteByte(c)
		case c == sep && depth == 0:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, cur.String())
}

func unescape(s string) string {
	return regexp.MustCompile(`\\(.)`).ReplaceAllString(s, "$1")
}

func typedValue(s string, asString bool) interface{} {
	if asString {
		return s
	}
	switch s {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil && (s == "0" || !strings.HasPrefix(s, "0")) {
		return i
	}
	return s
}

var indexRe = regexp.MustCompile(`^(.*)\[(\d+)\]$`)

// applySet applies one --set argument: a.b=v,c[0]=w,d={x,y}.
func applySet(values map[string]interface{}, arg string, asString bool) error {
	for _, assignment := range splitUnescaped(arg, ',') {
		eq := strings.IndexByte(assignment, '=')
		if eq < 0 {
			return fmt.Errorf("key %q has no value", assignment)
		}
		key, raw := assignment[:eq], assignment[eq+1:]
		var value interface{}
		if strings.HasPrefix(raw, "{") && strings.HasSuffix(raw, "}") {
			list := []interface{}{}
			if inner := raw[1 : len(raw)-1]; inner != "" {
				for _, e := range splitUnescaped(inner, ',') {
					list = append(list, typedValue(unescape(e), asString))
				}
			}
			value = list
		} else {
			value = typedValue(unescape(raw), asString)
		}
		path := splitUnescaped(key, '.')
		cur := values
		for i, p := range path {
			p = unescape(p)
			last := i == len(path)-1
			idx := -1
			if m := indexRe.FindStringSubmatch(p); m != nil {
				p = m[1]
				idx, _ = strconv.Atoi(m[2])
			}
			if idx < 0 {
				if last {
					if value == nil {
						delete(cur, p)
					} else {
						cur[p] = value
					}
					break
				}
				next, ok := cur[p].(map[string]interface{})
				if !ok {
					next = map[string]interface{}{}
					cur[p] = next
				}
				cur = next
				continue
			}
			list, _ := cur[p].([]interface{})
			for len(list) <= idx {
				list = append(list, nil)
			}
			cur[p] = list
			if last {
				list[idx] = value
				break
			}
			next, ok := list[idx].(map[string]interface{})
			if !ok {
				next = map[string]interface{}{}
				list[idx] = next
			}
			cur = next
		}
	}
	return nil
}

func toYAML(v interface{}) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	enc.Close()
	return strings.TrimSuffix(buf.String(), "\n")
}

func fromYAML(s string) map[string]interface{} {
	var raw interface{}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &raw); err != nil {
		m["Error"] = err.Error()
		return m
	}
	j, _ := json.Marshal(raw)
	if err := json.Unmarshal(j, &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

// render executes every template of the chart as Helm's engine does.
func render(chartDir, chartName string, top map[string]interface{}, notes bool) (string, error) {
	tdir := filepath.Join(chartDir, "templates")
	entries, err := os.ReadDir(tdir)
	if err != nil {
		return "", err
	}
	t := template.New("gotpl").Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env") // Helm removes these: a chart must not depend on the renderer's env
	delete(funcs, "expandenv")
	included := map[string]int{}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if included[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		included[name]++
		defer func() { included[name]-- }()
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := t.Clone()
		if err != nil {
			return "", err
		}
		name := chartName + "/templates/_tpl"
		if _, err := clone.New(name).Parse(text); err != nil {
			return "", fmt.Errorf("cannot parse template %q: %v", text, err)
		}
		var buf strings.Builder
		if err := clone.ExecuteTemplate(&buf, name, data); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %v", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, errors.New(msg)
		}
		return v, nil
	}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["toJson"] = func(v interface{}) string {
		b, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(b)
	}
	funcs["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	funcs["lookup"] = func(...interface{}) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	t.Funcs(funcs)

	var names []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(tdir, e.Name()))
		if err != nil {
			return "", err
		}
		name := chartName + "/templates/" + e.Name()
		if _, err := t.New(name).Parse(string(data)); err != nil {
			return "", fmt.Errorf("parse error in %s: %v", name, err)
		}
		names = append(names, name)
	}
	sort.Strings(names)

	type doc struct {
		source, text string
		order        int
	}
	var docs []doc
	rank := map[string]int{}
	for i, k := range installOrder {
		rank[k] = i
	}
	kindRe := regexp.MustCompile(`(?m)^kind:\s*(\S+)`)
	sepRe := regexp.MustCompile(`(?m)^---[ \t]*$`)
	for _, name := range names {
		base := filepath.Base(name)
		isNotes := base == "NOTES.txt"
		if strings.HasPrefix(base, "_") || isNotes != notes {
			continue
		}
		vals := map[string]interface{}{}
		for k, v := range top {
			vals[k] = v
		}
		vals["Template"] = map[string]interface{}{
			"Name": name, "BasePath": chartName + "/templates",
		}
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, name, vals); err != nil {
			return "", fmt.Errorf("execution error in %s: %v", name, err)
		}
		out := strings.ReplaceAll(buf.String(), "<no value>", "")
		if notes {
			return out, nil
		}
		for _, part := range sepRe.Split(out, -1) {
			if strings.TrimSpace(part) == "" {
				continue
			}
			order := len(installOrder)
			if m := kindRe.FindStringSubmatch(part); m != nil {
				if r, ok := rank[m[1]]; ok {
					order = r
				}
			}
			docs = append(docs, doc{source: name, text: strings.Trim(part, "\n"), order: order})
		}
	}
	if notes {
		return "", nil
	}
	sort.SliceStable(docs, func(i, j int) bool { return docs[i].order < docs[j].order })
	var b strings.Builder
	for _, d := range docs {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", d.source, d.text)
	}
	return b.String(), nil
}
