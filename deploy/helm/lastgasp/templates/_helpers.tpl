{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "lastgasp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every resource name. Kept to 47 characters so that the longest suffix ("-collector-leases",
16 characters) still fits the 63-character limit of names that become labels.
*/}}
{{- define "lastgasp.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 47 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 47 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 47 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Namespace of the agent, the collector and their Roles. */}}
{{- define "lastgasp.namespace" -}}
{{- default .Release.Namespace .Values.namespace.name }}
{{- end }}

{{- define "lastgasp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "lastgasp.labels" -}}
helm.sh/chart: {{ include "lastgasp.chart" . }}
app.kubernetes.io/name: {{ include "lastgasp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: lastgasp
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component; call with (dict "root" $ "component" "agent|collector"). */}}
{{- define "lastgasp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lastgasp.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels of one component; call like lastgasp.selectorLabels. */}}
{{- define "lastgasp.componentLabels" -}}
{{ include "lastgasp.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Labels of a component's pod template: the selector labels, part-of and commonLabels, and nothing that
changes with the chart's version (helm.sh/chart, app.kubernetes.io/version), so a chart bump alone
does not roll every agent and collector. Call like lastgasp.selectorLabels.
*/}}
{{- define "lastgasp.podLabels" -}}
{{ include "lastgasp.selectorLabels" . }}
app.kubernetes.io/part-of: lastgasp
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "lastgasp.agent.fullname" -}}
{{- printf "%s-agent" (include "lastgasp.fullname" .) }}
{{- end }}

{{/* The collector Service's name: the agents discover collectors through its EndpointSlices. */}}
{{- define "lastgasp.collector.fullname" -}}
{{- printf "%s-collector" (include "lastgasp.fullname" .) }}
{{- end }}

{{- define "lastgasp.agent.serviceAccountName" -}}
{{- default (include "lastgasp.agent.fullname" .) .Values.agent.serviceAccount.name }}
{{- end }}

{{- define "lastgasp.collector.serviceAccountName" -}}
{{- default (include "lastgasp.collector.fullname" .) .Values.collector.serviceAccount.name }}
{{- end }}

{{- define "lastgasp.collector.leaseName" -}}
{{- default (include "lastgasp.collector.fullname" .) .Values.collector.leaseName }}
{{- end }}

{{/* image reference; call with (dict "image" .Values.<component>.image "root" $). */}}
{{- define "lastgasp.image" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) }}
{{- end }}
{{- end }}

{{/* "host:port" for a listen flag; IPv6 hosts are already bracketed in values. */}}
{{- define "lastgasp.collector.listen" -}}
{{- printf "%s:%d" .root.Values.collector.listenHost (int .port) }}
{{- end }}

{{/* The Secret with the status API's server certificate (tls.crt, tls.key, ca.crt = CA of accepted clients). */}}
{{- define "lastgasp.collector.tlsSecretName" -}}
{{- if eq .Values.collector.grpcTls.source "secret" }}
{{- required "collector.grpcTls.secretName is required with collector.grpcTls.source secret" .Values.collector.grpcTls.secretName }}
{{- else }}
{{- printf "%s-grpc-tls" (include "lastgasp.collector.fullname" .) }}
{{- end }}
{{- end }}

{{/* The Secret with a client certificate of the status API; empty when there is none. */}}
{{- define "lastgasp.collector.clientTlsSecretName" -}}
{{- if eq .Values.collector.grpcTls.source "secret" }}
{{- .Values.collector.grpcTls.clientSecretName }}
{{- else }}
{{- printf "%s-client-tls" (include "lastgasp.collector.fullname" .) }}
{{- end }}
{{- end }}

{{/* The server certificate's DNS names: the Service's, and localhost for port-forward and kubectl exec. */}}
{{- define "lastgasp.collector.tlsDnsNames" -}}
{{- $full := include "lastgasp.collector.fullname" . }}
{{- $ns := include "lastgasp.namespace" . }}
{{- $names := list "localhost" $full (printf "%s.%s" $full $ns) (printf "%s.%s.svc" $full $ns) (printf "%s.%s.svc.cluster.local" $full $ns) }}
{{- range .Values.collector.grpcTls.extraSans }}
{{- if not (regexMatch "^[0-9.]+$|:" .) }}
{{- $names = append $names . }}
{{- end }}
{{- end }}
{{- toJson $names }}
{{- end }}

{{/* The server certificate's IP addresses: loopback, and the IPs among extraSans. */}}
{{- define "lastgasp.collector.tlsIpAddresses" -}}
{{- $ips := list "127.0.0.1" "::1" }}
{{- range .Values.collector.grpcTls.extraSans }}
{{- if regexMatch "^[0-9.]+$|:" . }}
{{- $ips = append $ips . }}
{{- end }}
{{- end }}
{{- toJson $ips }}
{{- end }}
