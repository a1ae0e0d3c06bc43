set -e
# A wider matrix for the validator, built with BIND's tools under a signed
# "matrix." (its DS in matrix.ds), served by named on 127.0.0.1:53:
# algorithms 8, 10, 13, 14, 15, 16 x NSEC, NSEC3 (no salt, 0 iterations),
# NSEC3 with salt and 10 iterations, NSEC3 opt-out; then DS digests 1, 4
# and unknown, an unknown algorithm, a CSK, two KSKs, signatures not yet
# valid or expired, a stripped signature, tampered data, NSEC and NSEC3,
# a wrong DS digest, and unsigned delegations. Writes cases.txt: one
# "NAME TYPE" per line to ask.
soa='@ SOA ns.matrix. hostmaster.matrix. 1 3600 600 86400 60'
body() { # zone
cat <<Z
\$ORIGIN $1.
\$TTL 300
$soa
@ NS ns.matrix.
www A 192.0.2.1
www TXT "hello"
alias CNAME www
outside CNAME www.plain.matrix.
*.wild A 192.0.2.9
a.b.ent A 192.0.2.5
dname DNAME sub.$1.
x.sub A 192.0.2.6
insecure NS ns.matrix.
Z
}
queries() { # zone
  for q in "www A" "nope A" "www MX" "x.wild A" "x.wild MX" "b.ent A" "alias A" "x.dname A" "q.dname A" "outside A" "www.insecure A"; do
    echo "${q%% *}.$1 ${q#* }"
  done >> cases.txt
}
: > cases.txt
cat > matrix.zone <<Z
\$ORIGIN matrix.
\$TTL 300
$soa
@ NS ns
ns A 127.0.0.1
plain NS ns
Z
zones=""
sign() { # zone alg denial [signer options...]
  z=$1 alg=$2 d=$3; shift 3
  ksk=$(dnssec-keygen -q -a $alg -f KSK -n ZONE $z); dnssec-keygen -q -a $alg -n ZONE $z >/dev/null
  case $d in
    nsec) o="";;
    nsec3) o="-3 - -H 0";;
    salt) o="-3 a1b2c3d4 -H 10";;
    optout) o="-3 - -H 0 -A";;
  esac
  dnssec-signzone -q -S -K . -O full -o $z $o "$@" -f $z.signed $z.zone >/dev/null
  echo "$z. NS ns.matrix." >> matrix.zone
  dnssec-dsfromkey -2 $ksk.key >> matrix.zone
  zones="$zones $z"
}
for a in 8:RSASHA256 10:RSASHA512 13:ECDSAP256SHA256 14:ECDSAP384SHA384 15:ED25519 16:ED448; do
  for d in nsec nsec3 salt optout; do
    z=a${a%%:*}-$d.matrix
    body $z > $z.zone
    sign $z ${a#*:} $d
    queries $z
  done
done
# DS digests: SHA-1 alone, SHA-384 alone, an unknown digest type alone.
for v in ds1 ds4 dsunknown algunknown csk double future; do body $v.matrix > $v.matrix.zone; done
for v in ds1 ds4 dsunknown algunknown; do
  z=$v.matrix
  ksk=$(dnssec-keygen -q -a ECDSAP256SHA256 -f KSK -n ZONE $z); dnssec-keygen -q -a ECDSAP256SHA256 -n ZONE $z >/dev/null
  dnssec-signzone -q -S -K . -O full -o $z -f $z.signed $z.zone >/dev/null
  echo "$z. NS ns.matrix." >> matrix.zone
  case $v in
    ds1) dnssec-dsfromkey -1 $ksk.key >> matrix.zone;;
    ds4) dnssec-dsfromkey -a SHA-384 $ksk.key >> matrix.zone;;
    # digest type 99 (unassigned): no digest this validator knows
    dsunknown) dnssec-dsfromkey -2 $ksk.key | awk '{$6=99; print}' >> matrix.zone;;
    # algorithm 200 (unassigned): no algorithm this validator knows
    algunknown) dnssec-dsfromkey -2 $ksk.key | awk '{$5=200; print}' >> matrix.zone;;
  esac
  zones="$zones $z"
  queries $z
done
# csk: one key signs all (KSK and ZSK in one).
z=csk.matrix; ksk=$(dnssec-keygen -q -a ECDSAP256SHA256 -f KSK -n ZONE $z)
dnssec-signzone -q -S -z -K . -O full -o $z -f $z.signed $z.zone >/dev/null
echo "$z. NS ns.matrix." >> matrix.zone; dnssec-dsfromkey -2 $ksk.key >> matrix.zone; zones="$zones $z"; queries $z
# double: two KSKs, a DS for each.
z=double.matrix
k1=$(dnssec-keygen -q -a ECDSAP256SHA256 -f KSK -n ZONE $z); k2=$(dnssec-keygen -q -a ECDSAP256SHA256 -f KSK -n ZONE $z)
dnssec-keygen -q -a ECDSAP256SHA256 -n ZONE $z >/dev/null
dnssec-signzone -q -S -K . -O full -o $z -f $z.signed $z.zone >/dev/null
echo "$z. NS ns.matrix." >> matrix.zone; dnssec-dsfromkey -2 $k1.key >> matrix.zone; dnssec-dsfromkey -2 $k2.key >> matrix.zone
zones="$zones $z"; queries $z
# future: signatures valid from tomorrow.
z=future.matrix; sign $z ECDSAP256SHA256 nsec -P -s now+86400 -e now+2592000
# Broken after signing (one record per line, -O full): an NSEC's type
# list (the NXDOMAIN proof at nope fails), every NSEC3's type list, www's
# A signature removed, www's A changed; a DS digest of another key;
# signatures expired in 2020.
for v in nsecbad nsec3bad sigstrip tampered badds expired; do body $v.matrix > $v.matrix.zone; done
z=nsecbad.matrix; sign $z ECDSAP256SHA256 nsec
sed -i 's/^\(insecure\.nsecbad\.matrix\.[[:space:]].*IN NSEC[[:space:]].*\) NS RRSIG NSEC$/\1 NS TXT RRSIG NSEC/' $z.signed
grep -q 'NS TXT RRSIG NSEC$' $z.signed
z=nsec3bad.matrix; sign $z ECDSAP256SHA256 nsec3
sed -i '/IN[[:space:]]NSEC3[[:space:]]/s/$/ SPF/' $z.signed
grep -q 'SPF$' $z.signed
z=sigstrip.matrix; sign $z ECDSAP256SHA256 nsec
sed -i '/^www\.sigstrip\.matrix\..*IN RRSIG[[:space:]]A /d' $z.signed
z=tampered.matrix; sign $z ECDSAP256SHA256 nsec3
sed -i 's/^\(www\.tampered\.matrix\..*IN A[[:space:]]*\)192\.0\.2\.1$/\1192.0.2.66/' $z.signed
grep -q '192.0.2.66' $z.signed
z=badds.matrix; sign $z ECDSAP256SHA256 nsec
sed -i '/^badds.matrix.*DS/ s/[0-9A-F]\{8\}$/00000000/' matrix.zone
z=expired.matrix; sign $z ECDSAP256SHA256 nsec -P -s 20200101000000 -e 20200201000000
# iter150: NSEC3 with 150 iterations, the most RFC 9276 lets a validator
# take as secure (more is Knot's zone in dnssec-zones.sh).
body iter150.matrix > iter150.matrix.zone
sign iter150.matrix ECDSAP256SHA256 salt -H 150
for v in nsecbad nsec3bad sigstrip tampered badds expired future iter150; do
  for q in "www A" "nope A" "www MX" "x.wild A"; do echo "${q%% *}.$v.matrix ${q#* }" >> cases.txt; done
done
# Unsigned zones under a signed parent: plain (no DS), insecure.<each>.
cat > plain.matrix.zone <<Z
\$ORIGIN plain.matrix.
\$TTL 300
$soa
@ NS ns.matrix.
www A 192.0.2.3
Z
echo "www.plain.matrix A" >> cases.txt; echo "nope.plain.matrix A" >> cases.txt
for z in $zones; do
  cat > insecure.$z.zone <<Z
\$ORIGIN insecure.$z.
\$TTL 300
$soa
@ NS ns.matrix.
www A 192.0.2.4
Z
done
key() { dnssec-keygen -q -a ECDSAP256SHA256 ${2:+-f KSK} -n ZONE $1; }
mk=$(key matrix ksk); key matrix >/dev/null
dnssec-signzone -q -S -K . -o matrix -f matrix.signed matrix.zone >/dev/null
dnssec-dsfromkey -2 $mk.key > matrix.ds
d=$PWD
{ echo "options { directory \"$d\"; listen-on port 53 { 127.0.0.1; }; listen-on-v6 { none; }; pid-file \"$d/named.pid\"; session-keyfile \"$d/s.key\"; recursion no; dnssec-validation no; minimal-responses no; };"
  echo 'controls { };'
  echo "zone \"matrix\" { type primary; file \"$d/matrix.signed\"; };"
  echo "zone \"plain.matrix\" { type primary; file \"$d/plain.matrix.zone\"; };"
  for z in $zones; do
    echo "zone \"$z\" { type primary; file \"$d/$z.signed\"; };"
    echo "zone \"insecure.$z\" { type primary; file \"$d/insecure.$z.zone\"; };"
  done
} > named.conf
named -g -c "$d/named.conf" > named.log 2>&1 &
i=0; until dig +time=1 +tries=1 @127.0.0.1 matrix SOA | grep -q NOERROR; do i=$((i+1)); [ $i -gt 300 ] && { echo "named never answered" >&2; tail named.log >&2; exit 1; }; sleep 0.05; done
