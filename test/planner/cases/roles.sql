# CREATE ROLE / USER: options in any order, WITH optional; CREATE USER logs in unless NOLOGIN says otherwise
CREATE ROLE analyst
----
CREATE ROLE analyst user=false options={}

CREATE ROLE admin WITH SUPERUSER CREATEROLE CREATEDB LOGIN ENCRYPTED PASSWORD 'it''s secret'
----
CREATE ROLE admin user=false options={"superuser":true,"createRole":true,"createDb":true,"login":true,"password":"it's secret"}

CREATE USER app PASSWORD NULL NOLOGIN
----
CREATE ROLE app user=true options={"password":null,"login":false}

# an option twice, even with the other value, is PostgreSQL's 42601
CREATE ROLE r LOGIN NOLOGIN
----
ERROR 42601 at 21: conflicting or redundant options

CREATE ROLE r INHERIT
----
ERROR 0A000 at 15: role option INHERIT is not supported

ALTER ROLE app WITH NOSUPERUSER PASSWORD 'new'
----
ALTER ROLE app {"kind":"options","options":{"superuser":false,"password":"new"}}

ALTER USER app RENAME TO service
----
ALTER ROLE app {"kind":"rename","to":"service"}

ALTER ROLE app SET statement_timeout = '5s'
----
ALTER ROLE app {"kind":"set","setting":"statement_timeout","value":"5s"}

ALTER ROLE app SET search_path TO public, sluice
----
ALTER ROLE app {"kind":"set","setting":"search_path","value":"public, sluice"}

ALTER ROLE app SET idle_in_transaction_session_timeout TO DEFAULT
----
ALTER ROLE app {"kind":"reset","setting":"idle_in_transaction_session_timeout"}

ALTER ROLE app RESET statement_timeout
----
ALTER ROLE app {"kind":"reset","setting":"statement_timeout"}

ALTER ROLE app RESET ALL
----
ALTER ROLE app {"kind":"reset","setting":null}

DROP ROLE IF EXISTS app, "Other"
----
DROP ROLE app, Other if_exists=true

DROP USER app
----
DROP ROLE app if_exists=false
