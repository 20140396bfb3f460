#!/usr/bin/env bash
# `make kpack-e2e`: a single-node Kubernetes with kpack on this machine, the
# resources `make publish` writes applied unedited, the samples built by
# kpack and probed, then rebased onto a newer run image. Everything it
# starts is stopped and every change to the host undone when it ends, fails
# or is interrupted (teardown below), and the host is then compared with
# how it was before. Needs root on Linux and Docker; run on cgroup v1 hosts,
# where kubelet 1.34 still runs with failCgroupV1: false.
#
# Network: the pods see only this machine. Their bridge (kpack0,
# 10.213.0.0/24) has no masquerade to the outside; in each pod a CNI step
# (cni-loopback below) sends 127.0.0.1:PORT of the registry, the pip index
# and the Go module proxy to this host's address on the bridge, where
# tools/kpack/forward passes them on. So REGISTRY=127.0.0.1:PORT/onbuild
# names the same registry for docker, pack, containerd and kpack's pods.
#
# Env: KPACK_E2E_KEEP=1  leave the cluster running at the end (stop it with
#                        tools/kpack/e2e.sh down)
#      KPACK_E2E_UNTIL   stop after this step: control-plane, cluster,
#                        kpack, publish
#      KPACK_E2E_BUILDER the daemon builder make publish starts from
#                        (default onbuild/builder-kpack-e2e)
set -euo pipefail
shopt -s inherit_errexit
root=$(cd "$(dirname "$0")/../.." && pwd)
LOG_NAME=kpack-e2e
# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"

state=$root/out/kpack-e2e
node=onbuild-kpack
bridge=kpack0
pod_cidr=10.213.0.0/24 host_ip=10.213.0.1
service_cidr=10.214.0.0/24 api_service_ip=10.214.0.1
etcd_port=23790 etcd_peer_port=23800 api_port=26443
registry_port=25000 pyindex_port=25001 goproxy_port=25002
registry=127.0.0.1:$registry_port
# sysctls the kubelet and kube-proxy may set; each is put back.
watched_sysctls="vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.conf.all.route_localnet net.ipv4.ip_forward net.netfilter.nf_conntrack_max net.netfilter.nf_conntrack_tcp_timeout_established net.netfilter.nf_conntrack_tcp_timeout_close_wait"
# Files outside $state the node writes: put back as they were.
host_paths="/var/lib/kubelet /var/log/pods /var/log/containers /var/lib/cni /opt/cni /etc/cni /opt/containerd /var/lib/containerd /run/containerd"

run_start=$(now_ms)
step_start=$run_start
step() {
  log "[$(date -u +%T)] $* (at +$((($(now_ms) - run_start) / 1000))s)"
  step_start=$(now_ms)
}
took() { log "  ... $* in $((($(now_ms) - step_start) / 1000))s"; }

# --- host snapshot and teardown ---------------------------------------------
chains() {
  local tool table
  for tool in iptables ip6tables; do
    for table in filter nat mangle raw; do
      "$tool" -t "$table" -S 2>/dev/null | awk -v p="$tool/$table" '$1 == "-N" { print p "/" $2 }'
    done
  done | sort
}
cgroups() { { find /sys/fs/cgroup -maxdepth 2 -type d \( -name 'kubepods*' -o -name "$node*" \) 2>/dev/null || true; } | sort; }
# snapshot: what the host looks like, in a form two runs can diff.
snapshot() {
  local s p
  echo "# chains"; chains
  echo "# sysctls"; for s in $watched_sysctls; do echo "$s=$(sysctl -n "$s" 2>/dev/null || true)"; done
  echo "# mounts"; { awk '{print $5}' /proc/self/mountinfo | grep -E "^($state|/var/lib/kubelet|/run/netns)" || true; } | sort
  echo "# paths"; for p in $host_paths; do if [[ -e $p ]]; then echo "$p"; fi; done
  echo "# rules"; { for t in iptables ip6tables; do "$t-save" 2>/dev/null; done | grep -E -- 'KUBE-|CNI-|kpack0|10\.21[34]\.' || true; } | sed 's/\[[0-9:]*\]//' | sort
  echo "# links"; { ip -o link show "$bridge" 2>/dev/null || true; } | cut -d: -f2
  echo "# cgroups"; cgroups
}

stop_pid() {
  local file=$1 pid
  pid=$(cat "$file" 2>/dev/null) || return 0
  # The pid file may outlive its process: only a process still running
  # what we started is ours.
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && grep -qF "$state" "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# teardown undoes everything a run did, by what is recorded in $state (so a
# run killed without its trap is cleaned up by the next one).
teardown() {
  # Best effort, every step: set +e for this function only.
  local -
  set +e
  [[ -d $state ]] || return 0
  local t
  t=$(now_ms)
  log "[$(date -u +%T)] teardown: stopping the cluster and putting the host back"
  [[ -n ${node_dir:-} ]] || node_dir=$(cat "$state/node_dir" 2>/dev/null)
  [[ -n ${k8s_dir:-} ]] || k8s_dir=$(cat "$state/k8s_dir" 2>/dev/null)
  local c
  for c in $(cat "$state/containers" 2>/dev/null); do docker rm -f "$c" >/dev/null 2>&1; done
  stop_pid "$state/pids/kubelet"
  # Every container and sandbox, then their shims.
  if [[ -S $state/containerd/containerd.sock && -x $node_dir/root/usr/bin/ctr ]]; then
    local ctr=("$node_dir/root/usr/bin/ctr" --address "$state/containerd/containerd.sock" --namespace k8s.io)
    for task in $("${ctr[@]}" tasks ls -q 2>/dev/null); do
      "${ctr[@]}" tasks kill -s SIGKILL "$task" >/dev/null 2>&1
    done
    sleep 1
    for task in $("${ctr[@]}" tasks ls -q 2>/dev/null); do
      "${ctr[@]}" tasks delete -f "$task" >/dev/null 2>&1
    done
  fi
  local pid
  for pid in $(grep -lsF "$state/containerd" /proc/[0-9]*/cmdline | cut -d/ -f3); do
    [[ $pid == "$$" ]] && continue
    kill -KILL "$pid" 2>/dev/null
  done
  for f in "$state"/pids/*; do stop_pid "$f"; done
  # Whatever still runs in the pods' cgroups (a container whose shim is
  # gone) is ours: those cgroups did not exist before the run.
  local cg procs
  if [[ -f $state/before ]]; then
    for _ in 1 2 3 4 5; do
      procs=""
      for cg in $(comm -13 <(sed -n '/^# cgroups/,$p' "$state/before" | grep /) <(cgroups)); do
        procs+=" $(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null)"
      done
      [[ -z ${procs// /} ]] && break
      kill -KILL $procs 2>/dev/null
      sleep 1
    done
  fi
  if [[ -x ${k8s_dir:-}/kube-proxy && -f $state/kube-proxy.yaml ]]; then
    "$k8s_dir/kube-proxy" --cleanup --config "$state/kube-proxy.yaml" >"$state/kube-proxy-cleanup.log" 2>&1
  fi
  # Mounts of pods, sandboxes' network namespaces and containers' root
  # filesystems: deepest first.
  local m
  for m in $(awk '{print $5}' /proc/self/mountinfo | grep -E "^$state/" | awk '{print length, $0}' | sort -rn | cut -d' ' -f2-); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
  done
  ip link del "$bridge" 2>/dev/null
  # iptables chains the kubelet, kube-proxy and the CNI plugins made.
  if [[ -f $state/before ]]; then
    local line tool table chain
    for line in $(comm -13 <(sed -n '/^# chains/,/^# sysctls/p' "$state/before" | grep /) <(chains)); do
      IFS=/ read -r tool table chain <<<"$line"
      [[ $chain == KUBE-* || $chain == CNI-* ]] || continue
      "$tool" -t "$table" -S | grep -E -- "-j $chain( |$)" | sed 's/^-A /-D /' | while read -r rule; do
        eval "$tool -t $table $rule" 2>/dev/null
      done
    done
    for line in $(comm -13 <(sed -n '/^# chains/,/^# sysctls/p' "$state/before" | grep /) <(chains)); do
      IFS=/ read -r tool table chain <<<"$line"
      [[ $chain == KUBE-* || $chain == CNI-* ]] || continue
      "$tool" -t "$table" -F "$chain" 2>/dev/null
    done
    for line in $(comm -13 <(sed -n '/^# chains/,/^# sysctls/p' "$state/before" | grep /) <(chains)); do
      IFS=/ read -r tool table chain <<<"$line"
      [[ $chain == KUBE-* || $chain == CNI-* ]] || continue
      "$tool" -t "$table" -X "$chain" 2>/dev/null
    done
    local kv
    for kv in $(sed -n '/^# sysctls/,/^# mounts/p' "$state/before" | grep =); do
      [[ -n ${kv#*=} && $(sysctl -n "${kv%%=*}" 2>/dev/null) != "${kv#*=}" ]] && sysctl -qw "$kv"
    done
    local p
    for p in $host_paths; do
      if ! grep -qxF "$p" "$state/before"; then rm -rf "$p"; fi
    done
    # The QoS and pod cgroups, innermost first; empty once their processes
    # are gone.
    for cg in $(comm -13 <(sed -n '/^# cgroups/,$p' "$state/before" | grep /) <(cgroups)); do
      find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    if diff <(grep -v '^# ' "$state/before") <(snapshot | grep -v '^# ') >"$state/host-diff"; then
      log "  host as before: iptables chains, sysctls, mounts, paths, links, cgroups"
    else
      log "  the host differs from before the run (left in $state/host-diff):"
      sed 's/^/    /' "$state/host-diff" >&2
      teardown_failed=1
    fi
  fi
  rm -rf "$state/containerd" "$state/kubelet"
  log "  teardown took $(elapsed_ms "$t")"
  [[ -z ${teardown_failed:-} ]]
}

if [[ ${1:-} == down ]]; then
  teardown
  exit
fi

# --- preflight --------------------------------------------------------------
[[ $(id -u) == 0 ]] || die "make kpack-e2e needs root: it runs a kubelet, containerd and iptables"
[[ $(uname -s) == Linux ]] || die "make kpack-e2e runs on Linux only"
for tool in iptables ip6tables ip openssl python3 docker curl; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
for cidr in $pod_cidr $service_cidr; do
  if ip -4 route | grep -q "^${cidr%.*}"; then die "$cidr is in use on this machine: the pods' network needs it"; fi
done

step "step 1: a clean start"
if [[ -d $state ]]; then
  log "  a previous run left $state: undoing it first"
  teardown || die "the previous run's changes could not all be undone (see above)"
fi
rm -rf "$state"
mkdir -p "$state/pids" "$state/logs" "$state/pki"
snapshot >"$state/before"
trap 'code=$?; trap - EXIT INT TERM; if [[ -n ${KPACK_E2E_KEEP:-} && $code == 0 ]]; then log "cluster left running: KUBECONFIG=$state/admin.kubeconfig; stop it with $0 down"; else teardown || code=1; fi; log "[$(date -u +%T)] make kpack-e2e $([[ $code == 0 ]] && echo passed || echo FAILED) in $((($(now_ms) - run_start) / 1000))s"; exit $code' EXIT
trap 'log "interrupted"; [[ -n ${fg_pid:-} ]] && kill "$fg_pid" 2>/dev/null; exit 130' INT TERM
took "host snapshot in $state/before"

step "step 2: binaries (compiled once, then cached under .cache/kpack/)"
{ read -r k8s_dir; read -r kpack_dir; } < <("$root/tools/kpack/binaries.sh")
node_dir=$("$root/tools/kpack/node.sh")
echo "$k8s_dir" >"$state/k8s_dir"
echo "$node_dir" >"$state/node_dir"
forward=$state/bin/forward regbin=$state/bin/registry
mkdir -p "$state/bin"
(cd "$root" && CGO_ENABLED=0 go build -o "$forward" ./tools/kpack/forward && CGO_ENABLED=0 go build -o "$regbin" ./tools/registry/cmd/registry)
export PATH=$node_dir/root/usr/bin:$node_dir/root/usr/sbin:$k8s_dir:$PATH
took "Kubernetes in $k8s_dir, kpack in $kpack_dir, node parts in $node_dir"

# fg CMD...: runs CMD in the background and waits for it, so an interrupt
# is handled at once (bash runs a trap only after a foreground child ends).
fg() {
  local rc=0
  "$@" &
  fg_pid=$!
  wait "$fg_pid" || rc=$?
  fg_pid=""
  return "$rc"
}
# image TAG DIR: docker build, quiet unless it fails.
image() {
  DOCKER_BUILDKIT=0 docker build -q -t "$1" "$2" >/dev/null 2>"$state/logs/docker-build.log" ||
    { cat "$state/logs/docker-build.log" >&2; die "docker build of $1 failed"; }
}
# start NAME CMD...: runs CMD in its own process group, logging to
# $state/logs/NAME.log, its pid in $state/pids/NAME.
start() {
  local name=$1
  shift
  setsid "$@" >"$state/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$state/pids/$name"
  # Stopped by teardown, which reports on it: bash need not.
  disown
}
# wait_for WHAT SECONDS CMD...: retries CMD until it succeeds.
wait_for() {
  local what=$1 seconds=$2 i
  shift 2
  for ((i = 0; i < seconds * 2; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "$what did not come up in ${seconds}s (logs: $state/logs/)"
}

step "step 3: the pods' network, the registry and the forwarders"
ip link add "$bridge" type bridge
ip addr add "$host_ip/24" dev "$bridge"
ip link set "$bridge" up
start registry "$regbin" -dir "$state/registry" -listen "$registry" -quiet
wait_for registry 20 curl -fsS "http://$registry/v2/"
goproxy=$(go env GOPROXY | tr ',|' '\n\n' | grep -m1 '^https\?://' || true)
[[ -n $goproxy ]] || die "go env GOPROXY names no proxy URL for the pods to use"
start forward "$forward" "$host_ip:$registry_port=$registry" "$host_ip:$pyindex_port=127.0.0.1:$pyindex_port" "$host_ip:$goproxy_port=$goproxy"
wait_for forwarder 20 curl -fsS "http://$host_ip:$registry_port/v2/"
took "registry $registry, reached by the pods through $host_ip"

step "step 4: certificates, tokens and kubeconfigs"
pki=$state/pki
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=onbuild-kpack-e2e-ca" \
  -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" 2>/dev/null
printf 'subjectAltName=IP:%s,IP:%s,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' \
  "$host_ip" "$api_service_ip" >"$pki/apiserver.ext"
openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 1 \
  -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt" 2>/dev/null
openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
# Static tokens: user,uid,groups for each client of the apiserver.
: >"$pki/tokens.csv"
kubeconfig() {
  local name=$1 user=$2 groups=${3:-} token
  token=$(openssl rand -hex 16)
  echo "$token,$user,$user${groups:+,\"$groups\"}" >>"$pki/tokens.csv"
  cat >"$state/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster: {server: "https://$host_ip:$api_port", certificate-authority: "$pki/ca.crt"}
users:
- name: $name
  user: {token: "$token"}
contexts:
- name: e2e
  context: {cluster: e2e, user: $name}
current-context: e2e
EOF
}
kubeconfig admin admin system:masters
kubeconfig controller-manager system:kube-controller-manager
kubeconfig scheduler system:kube-scheduler
kubeconfig kubelet "system:node:$node" system:nodes
kubeconfig kube-proxy system:kube-proxy
export KUBECONFIG=$state/admin.kubeconfig
took "a CA and static tokens in $pki"

step "step 5: etcd and the control plane"
start etcd etcd --name e2e --data-dir "$state/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster "e2e=http://127.0.0.1:$etcd_peer_port" --listen-metrics-urls "" --log-level warn
start kube-apiserver kube-apiserver --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address "$host_ip" --advertise-address "$host_ip" --secure-port "$api_port" \
  --cert-dir "$state/apiserver" --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --client-ca-file "$pki/ca.crt" --token-auth-file "$pki/tokens.csv" --authorization-mode Node,RBAC \
  --service-cluster-ip-range "$service_cidr" --service-account-issuer https://kubernetes.default.svc \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --kubelet-preferred-address-types InternalIP --enable-aggregator-routing=true --allow-privileged=true \
  --profiling=false
wait_for kube-apiserver 180 kubectl get --raw /readyz
start kube-controller-manager kube-controller-manager --kubeconfig "$state/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port 20257 --leader-elect=false --use-service-account-credentials \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" --profiling=false
start kube-scheduler kube-scheduler --kubeconfig "$state/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port 20259 --leader-elect=false --profiling=false
took "apiserver on $host_ip:$api_port"
[[ ${KPACK_E2E_UNTIL:-} == control-plane ]] && exit 0

step "step 6: containerd and the node"
mkdir -p "$state/cni/net.d" "$state/cni/bin" "$state/containerd/certs.d/$registry"
cp "$node_dir"/root/usr/lib/cni/{bridge,host-local,loopback} "$state/cni/bin/"
# cni-loopback: in each pod, 127.0.0.1:PORT of the host's loopback servers
# goes to the host's bridge address (route_localnet lets a loopback
# source leave the pod, SNAT gives it the pod's address).
cat >"$state/cni/bin/cni-loopback" <<EOF
#!/bin/sh
set -e
config=\$(cat)
case "\$CNI_COMMAND" in
VERSION) echo '{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]}'; exit 0 ;;
ADD) ;;
*) exit 0 ;;
esac
nsenter --net="\$CNI_NETNS" sh -c '
  sysctl -qw net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.\$CNI_IFNAME.route_localnet=1
  for port in $registry_port $pyindex_port $goproxy_port; do
    iptables -t nat -A OUTPUT -d 127.0.0.1/32 -p tcp --dport \$port -j DNAT --to-destination $host_ip:\$port
  done
  iptables -t nat -A POSTROUTING -s 127.0.0.1/32 -d $host_ip/32 -j MASQUERADE'
printf '%s' "\$config" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["prevResult"]))'
EOF
chmod +x "$state/cni/bin/cni-loopback"
cat >"$state/cni/net.d/10-e2e.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "onbuild-kpack-e2e",
  "plugins": [
    {"type": "bridge", "bridge": "$bridge", "isGateway": true, "ipMasq": false,
     "ipam": {"type": "host-local", "dataDir": "$state/cni/ipam", "ranges": [[{"subnet": "$pod_cidr", "gateway": "$host_ip"}]],
              "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "cni-loopback"},
    {"type": "loopback"}
  ]
}
EOF
cat >"$state/containerd/certs.d/$registry/hosts.toml" <<EOF
server = "http://$registry"
[host."http://$registry"]
  capabilities = ["pull", "resolve", "push"]
EOF
cat >"$state/containerd/config.toml" <<EOF
version = 2
root = "$state/containerd/root"
state = "$state/containerd/state"
[grpc]
  address = "$state/containerd/containerd.sock"
[ttrpc]
  address = "$state/containerd/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$state/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "onbuild/kpack-e2e-pause:1"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_cdi = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$state/cni/bin"
    conf_dir = "$state/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$node_dir/root/usr/sbin/runc"
        Root = "$state/containerd/runc"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$state/containerd/certs.d"
EOF
start containerd containerd --config "$state/containerd/config.toml"
ctr=(ctr --address "$state/containerd/containerd.sock" --namespace k8s.io)
wait_for containerd 60 "${ctr[@]}" version
# The sandbox image: the pause program alone.
mkdir -p "$state/images/pause"
cp "$k8s_dir/pause" "$state/images/pause/pause"
printf 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n' >"$state/images/pause/Dockerfile"
image onbuild/kpack-e2e-pause:1 "$state/images/pause"
docker save onbuild/kpack-e2e-pause:1 | "${ctr[@]}" images import - >/dev/null
docker image rm onbuild/kpack-e2e-pause:1 >/dev/null
cat >"$state/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$state/containerd/containerd.sock
address: $host_ip
port: 20250
healthzBindAddress: 127.0.0.1
healthzPort: 20248
readOnlyPort: 0
podLogsDir: $state/pod-logs
failSwapOn: false
protectKernelDefaults: false
resolvConf: ""
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization:
  mode: AlwaysAllow
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
EOF
start kubelet kubelet --config "$state/kubelet.yaml" --kubeconfig "$state/kubelet.kubeconfig" \
  --root-dir "$state/kubelet" --hostname-override "$node" --node-ip "$host_ip"
cat >"$state/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$state/kube-proxy.kubeconfig"}
hostnameOverride: $node
mode: iptables
bindAddress: $host_ip
healthzBindAddress: 127.0.0.1:20256
metricsBindAddress: 127.0.0.1:20249
clusterCIDR: $pod_cidr
nodePortAddresses: ["$host_ip/32"]
iptables: {localhostNodePorts: false, masqueradeAll: false}
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
start kube-proxy kube-proxy --config "$state/kube-proxy.yaml"
wait_for "node $node" 180 kubectl wait --for=condition=Ready "node/$node" --timeout=1s
took "node $node Ready"

step "step 6b: a pod reaches the registry at 127.0.0.1 and the apiserver's service"
wait_for "the default service account" 60 kubectl -n default get serviceaccount default
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: default}
spec:
  restartPolicy: Never
  containers:
  - name: probe
    image: onbuild/kpack-e2e-pause:1
    imagePullPolicy: Never
EOF
wait_for "the probe pod" 120 sh -c "kubectl get pod probe -o jsonpath='{.status.phase}' | grep -qx Running"
# The only pod so far: any of its tasks is in its network namespace.
probe_pid=$("${ctr[@]}" tasks ls | awk 'NR > 1 { print $2; exit }')
nsenter --net="/proc/$probe_pid/ns/net" curl -fsS -o /dev/null "http://$registry/v2/" ||
  die "a pod cannot reach the registry at $registry"
nsenter --net="/proc/$probe_pid/ns/net" curl -ksS -o /dev/null "https://$api_service_ip/readyz" ||
  die "a pod cannot reach the apiserver at its service address $api_service_ip"
kubectl delete pod probe --wait=true >/dev/null
took "pods reach $registry and https://$api_service_ip"
[[ ${KPACK_E2E_UNTIL:-} == cluster ]] && exit 0

step "step 7: kpack"
kpack_version=$(basename "$kpack_dir" | cut -d- -f2)
kimages=$state/images/kpack
mkdir -p "$kimages"
for cmd in controller webhook build-init build-waiter completion rebase; do
  mkdir -p "$kimages/$cmd"
  cp "$kpack_dir/$cmd" "$kimages/$cmd/$cmd"
  # The manifests run them as non-root; build pods call /cnb/process/NAME;
  # the controller buffers layers in /tmp.
  mkdir -p "$kimages/$cmd/tmp"
  printf 'FROM scratch\nCOPY %s /cnb/process/%s\nCOPY --chown=65532:65532 tmp /tmp\nUSER 65532:65532\nENTRYPOINT ["/cnb/process/%s"]\n' "$cmd" "$cmd" "$cmd" >"$kimages/$cmd/Dockerfile"
  image "$registry/kpack/$cmd:$kpack_version" "$kimages/$cmd"
  docker push -q "$registry/kpack/$cmd:$kpack_version" >/dev/null
  docker image rm "$registry/kpack/$cmd:$kpack_version" >/dev/null
done
# The lifecycle image kpack puts into the builders it makes: its last
# layer is /cnb/lifecycle, its labels what lifecycle.toml declares.
lifecycle_tgz=$("$root/tools/lifecycle.sh")
mkdir -p "$kimages/lifecycle"
tar -xzf "$lifecycle_tgz" -C "$kimages/lifecycle"
lifecycle_labels=$(python3 - "$kimages/lifecycle/lifecycle.toml" <<'EOF'
import json, sys, tomllib
d = tomllib.load(open(sys.argv[1], "rb"))
print(json.dumps({"lifecycle": {"version": d["lifecycle"]["version"]}, "api": d["api"]}))
print(json.dumps(d["apis"]))
EOF
)
lifecycle_version=$(sed -n 's/^ *version = "\(.*\)"/\1/p' "$kimages/lifecycle/lifecycle.toml" | head -n 1)
{
  echo "FROM scratch"
  echo "LABEL io.buildpacks.builder.metadata='$(sed -n 1p <<<"$lifecycle_labels")' io.buildpacks.lifecycle.apis='$(sed -n 2p <<<"$lifecycle_labels")'"
  echo "COPY lifecycle /cnb/lifecycle"
} >"$kimages/lifecycle/Dockerfile"
image "$registry/kpack/lifecycle:$lifecycle_version" "$kimages/lifecycle"
docker push -q "$registry/kpack/lifecycle:$lifecycle_version" >/dev/null
docker image rm "$registry/kpack/lifecycle:$lifecycle_version" >/dev/null
# kpack's own manifests, their ytt values filled in.
mkdir -p "$state/kpack-config"
for f in "$kpack_dir"/config/*.yaml; do
  [[ $(basename "$f") == schema.yaml ]] && continue
  sed -e '/^#@ load/d' -e "s|#@ data.values.kpack_version|$kpack_version|" \
    -e "s|#@ data.values.lifecycle.image|$registry/kpack/lifecycle:$lifecycle_version|" \
    -e "s|#@ data.values.\([a-z]*\)_\([a-z]*\).image|$registry/kpack/\1-\2:$kpack_version|" \
    -e "s|#@ data.values.\([a-z]*\).image|$registry/kpack/\1:$kpack_version|" \
    "$f" >"$state/kpack-config/$(basename "$f")"
done
! grep -n '#@' "$state"/kpack-config/*.yaml || die "kpack's manifests hold ytt the sed above does not fill"
# The ClusterLifecycle needs its CRD established and the webhook, which
# admits every kpack resource, answering.
mv "$state/kpack-config/default_clusterlifecycle.yaml" "$state/kpack-lifecycle.yaml"
kubectl apply -f "$state/kpack-config/100-namespace.yaml" >/dev/null
kubectl apply -f "$state/kpack-config" >"$state/logs/kpack-apply.log"
fg kubectl wait --for=condition=Established crd --all --timeout=120s >/dev/null
fg kubectl -n kpack rollout status deployment/kpack-webhook --timeout=300s >/dev/null
fg kubectl -n kpack rollout status deployment/kpack-controller --timeout=300s >/dev/null
wait_for "kpack's webhook" 120 kubectl apply -f "$state/kpack-lifecycle.yaml"
wait_for "ClusterLifecycle default-lifecycle" 120 kubectl wait --for=condition=Ready clusterlifecycle/default-lifecycle --timeout=1s
took "kpack $kpack_version running (controller, webhook, lifecycle $lifecycle_version)"
[[ ${KPACK_E2E_UNTIL:-} == kpack ]] && exit 0

step "step 8: make publish to $registry/onbuild"
prefix=$registry/onbuild
# A builder under a name of its own, so a shared daemon's onbuild/builder
# is left alone; the published builder is made from its builder.toml.
make_publish() {
  cd "$root" && ONBUILD_BUILDER=${KPACK_E2E_BUILDER:-onbuild/builder-kpack-e2e} PUBLISH_DIR=$state/publish \
    make --no-print-directory publish REGISTRY="$prefix" PUBLISH_STACKS=trixie
}
fg make_publish >"$state/logs/publish.log" 2>&1 ||
  { tail -n 30 "$state/logs/publish.log" >&2; die "make publish failed (log: $state/logs/publish.log)"; }
took "published to $prefix, kpack resources in $state/publish/kpack/"
[[ ${KPACK_E2E_UNTIL:-} == publish ]] && exit 0

step "step 9: the resources make publish wrote, applied unedited"
# What the resources expect to exist (docs/publishing.md): the namespace
# and the service account the builders and Images run as. The registry
# needs no credentials here; a real one gets a docker-registry secret.
kubectl create namespace onbuild >/dev/null
kubectl -n onbuild create serviceaccount onbuild >/dev/null
kubectl apply -f "$state/publish/kpack/" >"$state/logs/resources-apply.log"
for b in onbuild-python onbuild-go; do
  fg kubectl wait --for=condition=Ready "clusterbuilder/$b" --timeout=600s >/dev/null ||
    { kubectl get clusterbuilder "$b" -o yaml >&2; die "ClusterBuilder $b is not Ready"; }
done
took "ClusterStore, ClusterStacks and ClusterBuilders Ready"

step "step 10: the samples built by kpack"
pyindex_bin=$state/bin/pyindex
(cd "$root" && CGO_ENABLED=0 go build -o "$pyindex_bin" ./tools/pyindex/cmd/pyindex)
start pyindex "$pyindex_bin" -cache "$root/.cache/pyindex" -listen "127.0.0.1:$pyindex_port" -quiet
wait_for "the pip index" 300 curl -fsS "http://127.0.0.1:$pyindex_port/simple/"
# A user's Images name their package index and Go module proxy the same
# way; here both are this machine's, at 127.0.0.1 in every pod.
kubectl -n onbuild patch image python-sample --type merge -p "{\"spec\":{\"build\":{\"env\":[
  {\"name\":\"PIP_INDEX_URL\",\"value\":\"http://127.0.0.1:$pyindex_port/simple/\"},
  {\"name\":\"PIP_TRUSTED_HOST\",\"value\":\"127.0.0.1\"}]}}}" >/dev/null
kubectl -n onbuild patch image go-sample --type merge -p "{\"spec\":{\"build\":{\"env\":[
  {\"name\":\"GOPROXY\",\"value\":\"http://127.0.0.1:$goproxy_port\"}]}}}" >/dev/null
# The Images' first builds started before the patch, without an index,
# and fail; the patch starts the builds that count.
for sample in python go; do
  if ! fg kubectl -n onbuild wait --for=condition=Ready "image/$sample-sample" --timeout=900s >/dev/null; then
    kubectl -n onbuild get builds -o wide >&2
    for pod in $(kubectl -n onbuild get pods -o name | grep "$sample-sample"); do
      kubectl -n onbuild logs "$pod" --all-containers --tail=40 >&2
    done
    die "kpack did not build $sample-sample"
  fi
done
took "both samples built ($(kubectl -n onbuild get builds --no-headers | wc -l) builds)"

# probe SAMPLE PORT TEXT: runs the image kpack built last and expects TEXT
# from it over HTTP.
probe() {
  local sample=$1 port=$2 text=$3 image name body
  image=$(kubectl -n onbuild get image "$sample-sample" -o jsonpath='{.status.latestImage}')
  name=onbuild-kpack-e2e-$sample
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker pull -q "$image" >/dev/null
  docker run -d --name "$name" -p "127.0.0.1:$port:8080" "$image" >/dev/null
  echo "$name" >>"$state/containers"
  for _ in $(seq 60); do
    body=$(curl -fsS "http://127.0.0.1:$port/" 2>/dev/null) && break
    sleep 0.5
  done
  docker rm -f "$name" >/dev/null
  [[ $body == *"$text"* ]] || die "$image answered \"$body\", not \"$text\""
  log "  $image answered: $body"
}

step "step 11: each built image runs and answers over HTTP"
probe python 25081 "Hello from a Flask app built by onbuild"
probe go 25082 "Hello from a Go app built by onbuild"
took "both answer"

# layers IMAGE@DIGEST: the image's layer digests, one a line.
layers() {
  local ref=$1 repo digest
  repo=${ref#"$registry/"} repo=${repo%@*} digest=${ref#*@}
  curl -fsS -H 'Accept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' \
    "http://$registry/v2/$repo/manifests/$digest" | python3 -c 'import json,sys; print("\n".join(l["digest"] for l in json.load(sys.stdin)["layers"]))'
}

step "step 12: a newer run image, and kpack rebases both apps onto it"
declare -A before_image before_builds
for sample in python go; do
  before_image[$sample]=$(kubectl -n onbuild get image "$sample-sample" -o jsonpath='{.status.latestImage}')
  before_builds[$sample]=$(kubectl -n onbuild get image "$sample-sample" -o jsonpath='{.status.buildCounter}')
done
stamp=$(date -u +%Y%m%dT%H%M%S)
for run in run-python run-tiny; do
  # The same run image with one more layer: what a patched base looks
  # like to kpack.
  mkdir -p "$state/images/$run"
  echo "$stamp" >"$state/images/$run/patched"
  printf 'FROM onbuild/stack-%s:trixie\nCOPY patched /etc/onbuild-e2e-patched\n' "$run" >"$state/images/$run/Dockerfile"
  image "$prefix/stack-$run:trixie" "$state/images/$run"
  docker push -q "$prefix/stack-$run:trixie" >/dev/null
  docker image rm "$prefix/stack-$run:trixie" >/dev/null
done
# kpack re-reads a stack's images when it reconciles it; the annotation
# makes that happen now rather than at its next resync.
kubectl annotate clusterstack onbuild-python onbuild-tiny "io.onbuild.e2e/patched=$stamp" --overwrite >/dev/null
for sample in python go; do
  want=$((before_builds[$sample] + 1))
  wait_for "the rebase of $sample-sample" 600 sh -c "
    [ \"\$(kubectl -n onbuild get image $sample-sample -o jsonpath='{.status.buildCounter}')\" -ge $want ] &&
    kubectl -n onbuild get image $sample-sample -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True &&
    [ \"\$(kubectl -n onbuild get image $sample-sample -o jsonpath='{.status.latestImage}')\" != '${before_image[$sample]}' ]"
  build=$(kubectl -n onbuild get builds -l "image.kpack.io/image=$sample-sample,image.kpack.io/buildNumber=$want" -o name)
  reason=$(kubectl -n onbuild get "$build" -o jsonpath='{.metadata.annotations.image\.kpack\.io/reason}')
  [[ $reason == STACK ]] || die "$build was made for $reason, not for the new run image (STACK)"
  after=$(kubectl -n onbuild get image "$sample-sample" -o jsonpath='{.status.latestImage}')
  stack=onbuild-python
  [[ $sample == go ]] && stack=onbuild-tiny
  run_image=$(kubectl get clusterstack "$stack" -o jsonpath='{.status.runImage.latestImage}')
  run_layers=$(layers "$run_image" | wc -l)
  # The app sits on the new run image's layers (one more than the old
  # one's), and its own layers above them are the ones it had.
  diff <(layers "$run_image") <(layers "$after" | head -n "$run_layers") >/dev/null ||
    die "$sample-sample is not on the new run image $run_image after $build"
  diff <(layers "${before_image[$sample]}" | tail -n "+$run_layers") <(layers "$after" | tail -n "+$((run_layers + 1))") >/dev/null ||
    die "$sample-sample's app layers changed in $build: not a rebase"
  [[ $(kubectl -n onbuild get pod -l "image.kpack.io/buildNumber=$want,image.kpack.io/image=$sample-sample" -o jsonpath='{.items[0].spec.initContainers[*].name}') == *rebase* ]] ||
    die "$build did not run kpack's rebase"
  log "  $sample-sample: build $want ($reason) rebased onto $run_image, app layers kept"
done
probe python 25081 "Hello from a Flask app built by onbuild"
probe go 25082 "Hello from a Go app built by onbuild"
took "both rebased and answering"
