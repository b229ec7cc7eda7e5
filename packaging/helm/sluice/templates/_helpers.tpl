{{/* Names, labels and shared snippets of the Sluice chart. */}}

{{/* The chart name (nameOverride). */}}
{{- define "sluice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* RELEASE-sluice, or RELEASE when it already contains the name, or fullnameOverride. */}}
{{- define "sluice.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* FULLNAME-COMPONENT; call with (dict "ctx" $ "component" "collector"). */}}
{{- define "sluice.componentName" -}}
{{- printf "%s-%s" (include "sluice.fullname" .ctx | trunc 52 | trimSuffix "-") .component -}}
{{- end -}}

{{- define "sluice.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of a component; call with (dict "ctx" $ "component" "collector"). */}}
{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* All labels of a component's objects. */}}
{{- define "sluice.labels" -}}
helm.sh/chart: {{ include "sluice.chart" .ctx }}
{{ include "sluice.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: sluice
{{- end -}}

{{- define "sluice.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "sluice.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "sluice.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The required broker list. */}}
{{- define "sluice.brokers" -}}
{{- required "kafka.brokers is required: the bootstrap brokers, host:port separated by commas (--set kafka.brokers=b-1:9092,b-2:9092)" .Values.kafka.brokers -}}
{{- end -}}

{{/* tls: and sasl: options of a kafka input or output, indented by the caller. */}}
{{- define "sluice.kafkaSecurity" -}}
{{- if .Values.kafka.tls.enabled }}
tls:
  enabled: true
  {{- with .Values.kafka.tls.caFile }}
  ca_file: {{ . | quote }}
  {{- end }}
{{- end }}
{{- if .Values.kafka.sasl.mechanism }}
sasl:
  mechanism: {{ .Values.kafka.sasl.mechanism | quote }}
  username: '${KAFKA_USER}'
  password: '${KAFKA_PASSWORD}'
{{- end }}
{{- end -}}

{{/* KAFKA_USER and KAFKA_PASSWORD from the SASL Secret, when SASL is on. */}}
{{- define "sluice.kafkaEnv" -}}
{{- if .Values.kafka.sasl.mechanism }}
- name: KAFKA_USER
  valueFrom:
    secretKeyRef:
      name: {{ required "kafka.sasl.existingSecret is required with kafka.sasl.mechanism" .Values.kafka.sasl.existingSecret }}
      key: {{ .Values.kafka.sasl.usernameKey }}
- name: KAFKA_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.kafka.sasl.existingSecret }}
      key: {{ .Values.kafka.sasl.passwordKey }}
{{- end }}
{{- end -}}

{{/* A list of strings as a YAML flow sequence of quoted strings. */}}
{{- define "sluice.quotedList" -}}
[{{ range $i, $e := . }}{{ if $i }}, {{ end }}{{ $e | quote }}{{ end }}]
{{- end -}}

{{/* A list of strings as a YAML block sequence of quoted strings (indent with nindent). */}}
{{- define "sluice.blockList" -}}
{{- range . }}
- {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The collector's kafka input; call with (dict "ctx" $ "group" GROUP_ID). */}}
{{- define "sluice.collectorKafkaInput" -}}
{{- $c := .ctx.Values.collector -}}
- type: kafka
  brokers: {{ include "sluice.brokers" .ctx | quote }}
  topics: [{{ .ctx.Values.kafka.topic | quote }}]
  group_id: {{ .group | quote }}
  {{- if $c.staticMembership }}
  # Static membership: the pod's stable StatefulSet name is its group.instance.id.
  instance_id: '${SLUICE_GROUP_INSTANCE_ID}'
  {{- else }}
  # A Deployment's pod names change at every rollout: dynamic membership (leave on SIGTERM).
  instance_id: none
  {{- end }}
  {{- with include "sluice.kafkaSecurity" .ctx | trim }}{{ . | nindent 2 }}{{ end }}
  {{- if or $c.staticMembership $c.librdkafka }}
  librdkafka:
    {{- if $c.staticMembership }}
    session.timeout.ms: {{ int $c.staticSessionTimeoutMs | toString | quote }}
    {{- end }}
    {{- range $k, $v := $c.librdkafka }}
    {{ $k }}: {{ $v | toString | quote }}
    {{- end }}
  {{- end }}
{{- end -}}
