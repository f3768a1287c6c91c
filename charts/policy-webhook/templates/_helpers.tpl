{{/* Names, labels and the few values several templates compute the same way. */}}

{{- define "policy-webhook.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The prefix of every resource name: the release name, plus the chart name unless the release already holds it. */}}
{{- define "policy-webhook.fullname" -}}
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

{{- define "policy-webhook.selectorLabels" -}}
app.kubernetes.io/name: {{ include "policy-webhook.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The labels of every object; the pre-delete hook finds the webhook configurations by the selector labels. */}}
{{- define "policy-webhook.labels" -}}
{{ include "policy-webhook.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: policy-webhook
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/*
A name made of the full name and a suffix, within a limit: 63 for most objects, 52 for a CronJob (its Jobs add 11
characters). The full name is cut, never the suffix, so the objects of one release stay apart.
*/}}
{{- define "policy-webhook.suffixedName" -}}
{{- $root := index . 0 -}}
{{- $suffix := index . 1 -}}
{{- $limit := index . 2 | int -}}
{{- printf "%s-%s" (include "policy-webhook.fullname" $root | trunc (int (sub (sub $limit (len $suffix)) 1)) | trimSuffix "-") $suffix -}}
{{- end -}}

{{- define "policy-webhook.serviceAccountName" -}}
{{- default (include "policy-webhook.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "policy-webhook.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the serving certificate, whichever way it is made. */}}
{{- define "policy-webhook.tlsSecretName" -}}
{{- if eq .Values.certificates.mode "supplied" -}}
{{- .Values.certificates.supplied.secretName -}}
{{- else -}}
{{- printf "%s-tls" (include "policy-webhook.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "policy-webhook.serviceHost" -}}
{{- printf "%s.%s.svc" (include "policy-webhook.fullname" .) .Release.Namespace -}}
{{- end -}}

{{/* Namespaces the webhooks never see: the release namespace, kube-system and the configured ones. */}}
{{- define "policy-webhook.exemptNamespaces" -}}
{{- $all := concat (list .Release.Namespace "kube-system") .Values.webhook.exemptNamespaces | uniq -}}
{{- toJson $all -}}
{{- end -}}

{{/*
The security context every container of the chart runs with: what the restricted Pod Security Standard and the
webhook's own default policy ask for. The image's user is numeric (1654), so runAsNonRoot is verifiable.
*/}}
{{- define "policy-webhook.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1654
runAsGroup: 1654
# Mounted Secrets are owned by this group, so the user can read a key that is not world-readable.
fsGroup: 1654
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Pod spec fields every pod of the chart shares: pull secrets, and (but for the test Pod) where it may run. */}}
{{- define "policy-webhook.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "policy-webhook.nodePlacement" -}}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The in-memory /tmp every container gets, the root filesystem being read-only. */}}
{{- define "policy-webhook.tmpVolume" -}}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: 16Mi
{{- end -}}

{{- define "policy-webhook.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
The caBundle of the webhook configurations (base64 of PEM), for the modes where the chart knows it; cert-manager
injects its own. The chart mode's is computed once, in certificates.yaml, and shared through a global.
*/}}
{{- define "policy-webhook.caBundle" -}}
{{- if eq .Values.certificates.mode "supplied" -}}
{{- .Values.certificates.supplied.caBundle | b64enc -}}
{{- else if eq .Values.certificates.mode "chart" -}}
{{- include "policy-webhook.generatedCertificates" . | fromJson | dig "caBundle" "" -}}
{{- end -}}
{{- end -}}

{{/* The clientConfig of a webhook at a path: the in-cluster Service, or webhook.url in development. */}}
{{- define "policy-webhook.clientConfig" -}}
{{- $root := index . 0 -}}
{{- $path := index . 1 -}}
clientConfig:
  {{- if $root.Values.webhook.url }}
  url: {{ printf "%s%s" (trimSuffix "/" $root.Values.webhook.url) $path | quote }}
  {{- else }}
  service:
    name: {{ include "policy-webhook.fullname" $root }}
    namespace: {{ $root.Release.Namespace }}
    path: {{ $path }}
    port: 443
  {{- end }}
  {{- with include "policy-webhook.caBundle" $root }}
  caBundle: {{ . }}
  {{- end }}
{{- end -}}

{{/*
The chart mode's CA and serving certificate, as JSON {caCrt, tlsCrt, tlsKey, caBundle, notAfter}, made once per
render and shared by the Secret and the webhook configurations. An existing Secret of this release is kept until
it is within certificates.chart.renewBeforeDays of expiry, so `helm upgrade` never changes the trust the API
server holds; when it is renewed, the caBundle carries the old CA beside the new one until the next upgrade, for
the replicas that still serve the old certificate while the kubelet refreshes their mounted files.
*/}}
{{- define "policy-webhook.generatedCertificates" -}}
{{- if not (hasKey .Values "__policyWebhookCertificates") -}}
{{- $name := include "policy-webhook.tlsSecretName" . -}}
{{- $host := include "policy-webhook.fullname" . -}}
{{- $days := int .Values.certificates.chart.validityDays -}}
{{- $nowEpoch := now | unixEpoch | atoi -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $name -}}
{{- $data := dict -}}
{{- $notAfter := 0 -}}
{{- if $existing -}}
{{- $data = $existing.data | default dict -}}
{{- $notAfter = dig "metadata" "annotations" "policywebhook.io/certificate-not-after" "0" $existing | atoi -}}
{{- end -}}
{{- $renewAt := sub $notAfter (mul (int .Values.certificates.chart.renewBeforeDays) 86400) -}}
{{- $result := dict -}}
{{- if and (hasKey $data "ca.crt") (hasKey $data "tls.crt") (hasKey $data "tls.key") (gt $renewAt $nowEpoch) -}}
{{- $result = dict "caCrt" (index $data "ca.crt") "tlsCrt" (index $data "tls.crt") "tlsKey" (index $data "tls.key") "caBundle" (index $data "ca.crt") "notAfter" (toString $notAfter) -}}
{{- else -}}
{{- $dns := list $host (printf "%s.%s" $host .Release.Namespace) (printf "%s.%s.svc" $host .Release.Namespace) (printf "%s.%s.svc.cluster.local" $host .Release.Namespace) -}}
{{- $ca := genCA "policy-webhook-ca" $days -}}
{{- $cert := genSignedCert (printf "%s.%s.svc" $host .Release.Namespace) nil $dns $days $ca -}}
{{- $bundle := $ca.Cert -}}
{{- if hasKey $data "ca.crt" -}}
{{- $bundle = printf "%s\n%s" (trimSuffix "\n" $ca.Cert) (index $data "ca.crt" | b64dec) -}}
{{- end -}}
{{- $result = dict "caCrt" ($ca.Cert | b64enc) "tlsCrt" ($cert.Cert | b64enc) "tlsKey" ($cert.Key | b64enc) "caBundle" ($bundle | b64enc) "notAfter" (toString (add $nowEpoch (mul $days 86400))) -}}
{{- end -}}
{{- $_ := set .Values "__policyWebhookCertificates" $result -}}
{{- end -}}
{{- toJson (get .Values "__policyWebhookCertificates") -}}
{{- end -}}

{{/*
The names of the default ClusterPolicies (policies.defaults), as a JSON list: the hook that applies them, the one
that deletes them when turned off, and the pre-delete hook all name exactly these.
*/}}
{{- define "policy-webhook.defaultPolicyNames" -}}
{{- $fullname := include "policy-webhook.fullname" . -}}
{{- toJson (list (printf "%s-pss-baseline" $fullname) (printf "%s-pss-restricted" $fullname)) -}}
{{- end -}}
