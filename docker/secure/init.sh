#!/bin/bash
# One-shot: generates the compose cluster's security material in /secrets, the same model as
# 'streamlearn kafka start --secure' (README "Secured cluster"): a CA that signs one broker
# certificate (shared by kafka-1..3, also valid for localhost) and is then deleted, random
# SCRAM-SHA-512 passwords per principal, each broker's server properties, and one client
# properties file per principal. Runs in the apache/kafka image as root, once (a marker file).
set -euo pipefail
S=${SECRETS_DIR:-/secrets}
[ -f "$S/.done" ] && { echo "secrets exist"; exit 0; }
umask 077
secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
KS=$(secret)
export KS
declare -A PW
for p in admin streams updater operator producer reader; do PW[$p]=$(secret); done

kt() { keytool "$@" -storetype PKCS12 -storepass:env KS; }
kt -genkeypair -keystore /tmp/ca.p12 -alias ca -dname "CN=streamlearn compose CA" -keyalg RSA -keysize 2048 -validity 3650 -ext bc:c -keypass:env KS
kt -genkeypair -keystore "$S/broker.p12" -alias broker -dname "CN=streamlearn-broker" -keyalg RSA -keysize 2048 -validity 3650 -keypass:env KS
kt -certreq -keystore "$S/broker.p12" -alias broker -file /tmp/broker.csr
kt -gencert -keystore /tmp/ca.p12 -alias ca -infile /tmp/broker.csr -outfile /tmp/broker.pem -rfc -validity 3650 \
  -ext SAN=dns:kafka-1,dns:kafka-2,dns:kafka-3,dns:localhost,ip:127.0.0.1 -ext EKU=serverAuth,clientAuth
kt -exportcert -keystore /tmp/ca.p12 -alias ca -rfc -file "$S/ca.pem"
kt -importcert -keystore "$S/broker.p12" -alias ca -file "$S/ca.pem" -noprompt
kt -importcert -keystore "$S/broker.p12" -alias broker -file /tmp/broker.pem -noprompt
rm -f /tmp/ca.p12 /tmp/broker.csr /tmp/broker.pem   # nothing else can ever be signed
chmod 644 "$S/ca.pem"                                 # public: the clients' trust anchor

jaas() { echo "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$1\" password=\"${PW[$1]}\";"; }

# SCRAM credentials enter the metadata when each broker formats its storage.
: > "$S/scram.args"
for p in "${!PW[@]}"; do printf -- '--add-scram SCRAM-SHA-512=[name=%s,password=%s] ' "$p" "${PW[$p]}" >> "$S/scram.args"; done

for n in 1 2 3; do
  cat > "$S/server-$n.properties" <<PROPS
process.roles=broker,controller
node.id=$n
controller.quorum.voters=1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093
controller.listener.names=CONTROLLER
# Clients and brokers: TLS + SASL/SCRAM-SHA-512 (INTERNAL in the compose network, EXTERNAL on the host).
# Controllers: mutual TLS with the brokers' certificate.
listeners=INTERNAL://:19092,EXTERNAL://:$((29091 + n)),CONTROLLER://:9093
advertised.listeners=INTERNAL://kafka-$n:19092,EXTERNAL://localhost:$((29091 + n))
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=INTERNAL:SASL_SSL,EXTERNAL:SASL_SSL,CONTROLLER:SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.internal.scram-sha-512.sasl.jaas.config=$(jaas admin)
listener.name.controller.ssl.client.auth=required
ssl.keystore.type=PKCS12
ssl.keystore.location=$S/broker.p12
ssl.keystore.password=$KS
ssl.key.password=$KS
ssl.truststore.type=PEM
ssl.truststore.location=$S/ca.pem
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:CN=streamlearn-broker
allow.everyone.if.no.acl.found=false
log.dirs=/var/lib/kafka/data
# Replication: the same as 'streamlearn kafka start --brokers 3' (ClusterReplication; ComposeSettingsTest holds them equal).
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
min.insync.replicas=2
default.replication.factor=3
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
# A produce waits in the broker up to 1 s for the previous transaction's markers, as on the local broker (LocalKafka).
add.partitions.to.txn.retry.backoff.max.ms=1000
PROPS
done

for p in "${!PW[@]}"; do
  cat > "$S/$p.properties" <<PROPS
# streamlearn client settings for principal '$p' in the compose network (from the host: --bootstrap localhost:29092
# and -D ssl.truststore.location=<a copy of ca.pem>).
bootstrap.servers=kafka-1:19092,kafka-2:19092,kafka-3:19092
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$(jaas "$p")
ssl.truststore.type=PEM
ssl.truststore.location=$S/ca.pem
PROPS
done

# Brokers run as the apache/kafka image's appuser (1000), streamlearn as its own user (10001).
chown 1000 "$S/broker.p12" "$S/scram.args" "$S"/server-*.properties
chown 10001 "$S"/{admin,streams,updater,operator,producer,reader}.properties
chmod 755 "$S"
touch "$S/.done"
echo "secrets written to $S"
