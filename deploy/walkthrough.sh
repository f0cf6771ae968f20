step() { echo; echo "\$ $*"; "$@" > /tmp/walk/out 2>&1; rc=$?; grep -v -E "WARNING: Location|BuildBackendWarning|\*\*\*\*|careful|same name|!!|strategy, WheelFile|editable_wheel" /tmp/walk/out; [ $rc = 0 ] || echo "(exit code $rc)"; }
cd /tmp/walk
step git clone -q /work/main /tmp/walk/opt-nhacviec
cd /tmp/walk/opt-nhacviec
step python3 -m venv .venv
step .venv/bin/pip install -q -c constraints.txt .
psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS nhacviec_walk" >/dev/null
step psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE nhacviec_walk"
mkdir -p /tmp/walk/etc /tmp/walk/var-lib
cp .env.example /tmp/walk/etc/nhacviec.env
sed -i 's#^NHACVIEC_DATABASE_URL=.*#NHACVIEC_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/nhacviec_walk#' /tmp/walk/etc/nhacviec.env
echo "NHACVIEC_HTTP_ENABLED=true" >> /tmp/walk/etc/nhacviec.env
echo "NHACVIEC_WEBHOOK_LISTEN=127.0.0.1:18080" >> /tmp/walk/etc/nhacviec.env
echo "NHACVIEC_BACKUP_DIR=/tmp/walk/var-lib/backups" >> /tmp/walk/etc/nhacviec.env
set -a; . /tmp/walk/etc/nhacviec.env; set +a
export PATH=/tmp/walk/opt-nhacviec/.venv/bin:$PATH
step nhacviec db upgrade
step nhacviec import config/examples/kh-272-2023-kien-giang.csv
step nhacviec invite "Sở Nội vụ" --role coordinator
step nhacviec report --format md --as-of 2023-03-31
step nhacviec backup --rotate
set +e
step nhacviec doctor
nhacviec run --no-console > /tmp/walk/run.log 2>&1 &
PID=$!
sleep 6
step curl -s http://127.0.0.1:18080/healthz
step curl -s http://127.0.0.1:18080/readyz
echo; echo "\$ curl -s http://127.0.0.1:18080/metrics | grep '^nhacviec_'"
curl -s http://127.0.0.1:18080/metrics | grep '^nhacviec_' | head -12
START=$(date +%s.%N); kill -TERM $PID; wait $PID; RC=$?; END=$(date +%s.%N)
echo; echo "\$ kill -TERM <nhacviec run>   # exit code $RC after $(python3 -c "print(round($END-$START,2))") s"
echo; echo "\$ grep -v DEBUG run.log | tail -4"; grep -v DEBUG /tmp/walk/run.log | tail -4
