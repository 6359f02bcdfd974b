-- [1] database
CREATE DATABASE IF NOT EXISTS `keystone`;

-- [2] bronze.customers: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`bronze_customers` (
  `customer_id` string,
  `customer_unique_id` string,
  `customer_zip_code_prefix` string,
  `customer_city` string,
  `customer_state` string,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint,
  `_ingested_at` timestamp,
  `_raw_line` string,
  `_parse_error` string
)
PARTITIONED BY (`_version` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-bronze/customers/';

-- [3] bronze.customers: register 2 versions
ALTER TABLE `keystone`.`bronze_customers` ADD IF NOT EXISTS
  PARTITION (`_version` = '000001') LOCATION 's3://olist-data-lake-bronze/customers/_v/000001/'
  PARTITION (`_version` = '000002') LOCATION 's3://olist-data-lake-bronze/customers/_v/000002/';

-- [4] bronze.geolocation: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`bronze_geolocation` (
  `geolocation_zip_code_prefix` string,
  `geolocation_lat` string,
  `geolocation_lng` string,
  `geolocation_city` string,
  `geolocation_state` string,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint,
  `_ingested_at` timestamp,
  `_raw_line` string,
  `_parse_error` string
)
PARTITIONED BY (`_version` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-bronze/geolocation/';

-- [5] bronze.geolocation: register 2 versions
ALTER TABLE `keystone`.`bronze_geolocation` ADD IF NOT EXISTS
  PARTITION (`_version` = '000001') LOCATION 's3://olist-data-lake-bronze/geolocation/_v/000001/'
  PARTITION (`_version` = '000002') LOCATION 's3://olist-data-lake-bronze/geolocation/_v/000002/';

-- [6] bronze.order_items: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`bronze_order_items` (
  `order_id` string,
  `order_item_id` string,
  `product_id` string,
  `seller_id` string,
  `shipping_limit_date` string,
  `price` string,
  `freight_value` string,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint,
  `_ingested_at` timestamp,
  `_raw_line` string,
  `_parse_error` string
)
PARTITIONED BY (`_version` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-bronze/order_items/';

-- [7] bronze.order_items: register 2 versions
ALTER TABLE `keystone`.`bronze_order_items` ADD IF NOT EXISTS
  PARTITION (`_version` = '000001') LOCATION 's3://olist-data-lake-bronze/order_items/_v/000001/'
  PARTITION (`_version` = '000002') LOCATION 's3://olist-data-lake-bronze/order_items/_v/000002/';

-- [8] bronze.order_payments: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`bronze_order_payments` (
  `order_id` string,
  `payment_sequential` string,
  `payment_type` string,
  `payment_installments` string,
  `payment_value` string,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint,
  `_ingested_at` timestamp,
  `_raw_line` string,
  `_parse_error` string
)
PARTITIONED BY (`_version` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-bronze/order_payments/';

-- [9] bronze.order_payments: register 2 versions
ALTER TABLE `keystone`.`bronze_order_payments` ADD IF NOT EXISTS
  PARTITION (`_version` = '000001') LOCATION 's3://olist-data-lake-bronze/order_payments/_v/000001/'
  PARTITION (`_version` = '000002') LOCATION 's3://olist-data-lake-bronze/order_payments/_v/000002/';

-- [10] bronze.order_reviews: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`bronze_order_reviews` (
  `review_id` string,
  `order_id` string,
  `review_score` string,
  `review_comment_title` string,
  `review_comment_message` string,
  `review_creation_date` string,
  `review_answer_timestamp` string,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint,
  `_ingested_at` timestamp,
  `_raw_line` string,
  `_parse_error` string
)
PARTITIONED BY (`_version` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-bronze/order_reviews/';

-- [11] bronze.order_reviews: register 2 versions
ALTER TABLE `keystone`.`bronze_order_reviews` ADD IF NOT EXISTS
  PARTITION (`_version` = '000001') LOCATION 's3://olist-data-lake-bronze/order_reviews/_v/000001/'
  PARTITION (`_version` = '000002') LOCATION 's3://olist-data-lake-bronze/order_reviews/_v/000002/';

-- [12] bronze.orders: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`bronze_orders` (
  `order_id` string,
  `customer_id` string,
  `order_status` string,
  `order_purchase_timestamp` string,
  `order_approved_at` string,
  `order_delivered_carrier_date` string,
  `order_delivered_customer_date` string,
  `order_estimated_delivery_date` string,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint,
  `_ingested_at` timestamp,
  `_raw_line` string,
  `_parse_error` string
)
PARTITIONED BY (`_version` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-bronze/orders/';

-- [13] bronze.orders: register 2 versions
ALTER TABLE `keystone`.`bronze_orders` ADD IF NOT EXISTS
  PARTITION (`_version` = '000001') LOCATION 's3://olist-data-lake-bronze/orders/_v/000001/'
  PARTITION (`_version` = '000002') LOCATION 's3://olist-data-lake-bronze/orders/_v/000002/';

-- [14] bronze.products: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`bronze_products` (
  `product_id` string,
  `product_category_name` string,
  `product_name_lenght` string,
  `product_description_lenght` string,
  `product_photos_qty` string,
  `product_weight_g` string,
  `product_length_cm` string,
  `product_height_cm` string,
  `product_width_cm` string,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint,
  `_ingested_at` timestamp,
  `_raw_line` string,
  `_parse_error` string
)
PARTITIONED BY (`_version` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-bronze/products/';

-- [15] bronze.products: register 2 versions
ALTER TABLE `keystone`.`bronze_products` ADD IF NOT EXISTS
  PARTITION (`_version` = '000001') LOCATION 's3://olist-data-lake-bronze/products/_v/000001/'
  PARTITION (`_version` = '000002') LOCATION 's3://olist-data-lake-bronze/products/_v/000002/';

-- [16] bronze.sellers: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`bronze_sellers` (
  `seller_id` string,
  `seller_zip_code_prefix` string,
  `seller_city` string,
  `seller_state` string,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint,
  `_ingested_at` timestamp,
  `_raw_line` string,
  `_parse_error` string
)
PARTITIONED BY (`_version` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-bronze/sellers/';

-- [17] bronze.sellers: register 2 versions
ALTER TABLE `keystone`.`bronze_sellers` ADD IF NOT EXISTS
  PARTITION (`_version` = '000001') LOCATION 's3://olist-data-lake-bronze/sellers/_v/000001/'
  PARTITION (`_version` = '000002') LOCATION 's3://olist-data-lake-bronze/sellers/_v/000002/';

-- [18] bronze.category_translation: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`bronze_category_translation` (
  `product_category_name` string,
  `product_category_name_english` string,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint,
  `_ingested_at` timestamp,
  `_raw_line` string,
  `_parse_error` string
)
PARTITIONED BY (`_version` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-bronze/category_translation/';

-- [19] bronze.category_translation: register 2 versions
ALTER TABLE `keystone`.`bronze_category_translation` ADD IF NOT EXISTS
  PARTITION (`_version` = '000001') LOCATION 's3://olist-data-lake-bronze/category_translation/_v/000001/'
  PARTITION (`_version` = '000002') LOCATION 's3://olist-data-lake-bronze/category_translation/_v/000002/';

-- [20] silver.quarantine: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`silver_quarantine` (
  `table_name` string,
  `column_name` string,
  `raw_value` string,
  `reason` string,
  `detail` string,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint,
  `run_id` string,
  `quarantined_at` timestamp
)
PARTITIONED BY (`_version` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-silver/quarantine/';

-- [21] silver.customers: judge 1 bronze version
CREATE TABLE "keystone"."silver_customers__judged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/customers/_v/000002/judged/') AS
SELECT j.*, date_format(j._ingested_at, '%Y') AS year, date_format(j._ingested_at, '%m') AS month, date_format(j._ingested_at, '%d') AS day FROM (WITH s1 AS (SELECT *, NULLIF(regexp_replace("customer_id", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__customer_id", NULLIF(regexp_replace("customer_unique_id", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__customer_unique_id", NULLIF(CASE WHEN length(regexp_replace("customer_zip_code_prefix", '^[ \t\r\n]+|[ \t\r\n]+$', '')) > 0 AND length(regexp_replace("customer_zip_code_prefix", '^[ \t\r\n]+|[ \t\r\n]+$', '')) < 5 THEN lpad(regexp_replace("customer_zip_code_prefix", '^[ \t\r\n]+|[ \t\r\n]+$', ''), 5, '0') ELSE regexp_replace("customer_zip_code_prefix", '^[ \t\r\n]+|[ \t\r\n]+$', '') END, '') AS "t__customer_zip_code_prefix", NULLIF(regexp_replace(normalize(lower(regexp_replace(regexp_replace("customer_city", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '[ \t\r\n]+', ' ')), NFD), '\p{Mn}', ''), '') AS "t__customer_city", NULLIF(upper(regexp_replace("customer_state", '^[ \t\r\n]+|[ \t\r\n]+$', '')), '') AS "t__customer_state" FROM (SELECT * FROM "keystone"."bronze_customers" WHERE _version IN ('000002'))),
  s2 AS (SELECT *, "t__customer_id" AS "v__customer_id", "t__customer_unique_id" AS "v__customer_unique_id", "t__customer_zip_code_prefix" AS "v__customer_zip_code_prefix", "t__customer_city" AS "v__customer_city", "t__customer_state" AS "v__customer_state" FROM s1),
  s3 AS (SELECT *, CASE WHEN "t__customer_id" IS NULL THEN 'missing' WHEN "v__customer_id" IS NULL THEN 'uncastable' END AS "p__customer_id", CASE WHEN "t__customer_unique_id" IS NULL THEN 'missing' WHEN "v__customer_unique_id" IS NULL THEN 'uncastable' END AS "p__customer_unique_id", CASE WHEN "t__customer_zip_code_prefix" IS NULL THEN 'missing' WHEN "v__customer_zip_code_prefix" IS NULL THEN 'uncastable' WHEN NOT (regexp_like("v__customer_zip_code_prefix", '^(?:^[0-9]{5}$)$')) THEN 'out_of_domain' END AS "p__customer_zip_code_prefix", CASE WHEN "t__customer_city" IS NULL THEN 'missing' WHEN "v__customer_city" IS NULL THEN 'uncastable' END AS "p__customer_city", CASE WHEN "t__customer_state" IS NULL THEN 'missing' WHEN "v__customer_state" IS NULL THEN 'uncastable' WHEN NOT ("v__customer_state" IN ('AC', 'AL', 'AM', 'AP', 'BA', 'CE', 'DF', 'ES', 'GO', 'MA', 'MG', 'MS', 'MT', 'PA', 'PB', 'PE', 'PI', 'PR', 'RJ', 'RN', 'RO', 'RR', 'RS', 'SC', 'SE', 'SP', 'TO')) THEN 'out_of_domain' END AS "p__customer_state" FROM s2)
SELECT "v__customer_id" AS "customer_id", "v__customer_unique_id" AS "customer_unique_id", "v__customer_zip_code_prefix" AS "customer_zip_code_prefix", CASE WHEN "p__customer_city" IS NULL THEN "v__customer_city" END AS "customer_city", CASE WHEN "p__customer_state" IS NULL THEN "v__customer_state" END AS "customer_state",
  _ingest_id, _source_file, _source_row, _ingested_at, _raw_line, _parse_error,
  CASE WHEN _parse_error IS NOT NULL THEN 'malformed' WHEN "p__customer_id" IS NOT NULL THEN CASE "p__customer_id" WHEN 'missing' THEN 'missing_required' ELSE "p__customer_id" END WHEN "p__customer_unique_id" IS NOT NULL THEN CASE "p__customer_unique_id" WHEN 'missing' THEN 'missing_required' ELSE "p__customer_unique_id" END WHEN "p__customer_zip_code_prefix" IS NOT NULL THEN CASE "p__customer_zip_code_prefix" WHEN 'missing' THEN 'missing_required' ELSE "p__customer_zip_code_prefix" END END AS _reason,
  CASE WHEN _parse_error IS NOT NULL THEN NULL WHEN "p__customer_id" IS NOT NULL THEN 'customer_id' WHEN "p__customer_unique_id" IS NOT NULL THEN 'customer_unique_id' WHEN "p__customer_zip_code_prefix" IS NOT NULL THEN 'customer_zip_code_prefix' END AS _reason_column,
  CASE WHEN _parse_error IS NOT NULL THEN _raw_line WHEN "p__customer_id" IS NOT NULL THEN "customer_id" WHEN "p__customer_unique_id" IS NOT NULL THEN "customer_unique_id" WHEN "p__customer_zip_code_prefix" IS NOT NULL THEN "customer_zip_code_prefix" END AS _reason_raw,
  (CASE WHEN "p__customer_city" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__customer_state" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END) AS _nulled
FROM s3) j;

-- [22] silver.customers: quarantine
ALTER TABLE `keystone`.`silver_quarantine` ADD IF NOT EXISTS PARTITION (`_version` = '000002') LOCATION 's3://olist-data-lake-silver/quarantine/_v/000002/';

-- [23] silver.customers: quarantine
INSERT INTO "keystone"."silver_quarantine"
SELECT 'customers' AS table_name, _reason_column AS column_name, _reason_raw AS raw_value, _reason AS reason,
       _parse_error AS detail, _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row,
       'run-fixture-0001' AS run_id, CAST(current_timestamp AS timestamp) AS quarantined_at, '000002' AS _version
FROM "keystone"."silver_customers__judged_v000002" WHERE _reason IS NOT NULL;

-- [24] silver.customers: latest row per key
CREATE TABLE "keystone"."silver_customers__merged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/customers/_v/000002/merged/') AS
SELECT "customer_id", "customer_unique_id", "customer_zip_code_prefix", "customer_city", "customer_state", _ingest_id, _source_file, _source_row, year, month, day FROM (SELECT *, row_number() OVER (PARTITION BY "customer_id" ORDER BY _ingest_id DESC, _source_row DESC) AS _rn FROM (SELECT "customer_id", "customer_unique_id", "customer_zip_code_prefix", "customer_city", "customer_state", _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row, year, month, day FROM "keystone"."silver_customers__judged_v000002" WHERE _reason IS NULL
  UNION ALL SELECT "customer_id", "customer_unique_id", "customer_zip_code_prefix", "customer_city", "customer_state", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_customers")) WHERE _rn = 1;

-- [25] silver.customers: partitions to write
SELECT DISTINCT year, month, day FROM "keystone"."silver_customers__merged_v000002" ORDER BY 1, 2, 3;

-- [26] silver.customers: write partitions 1–2 of 2 (20261120..20261121)
CREATE TABLE "keystone"."silver_customers__v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', partitioned_by = ARRAY['year', 'month', 'day'], external_location = 's3://olist-data-lake-silver/customers/_v/000002/') AS
SELECT "customer_id", "customer_unique_id", "customer_zip_code_prefix", "customer_city", "customer_state", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_customers__merged_v000002"
WHERE concat(year, month, day) BETWEEN '20261120' AND '20261121';

-- [27] silver.customers: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`silver_customers` (
  `customer_id` string,
  `customer_unique_id` string,
  `customer_zip_code_prefix` string,
  `customer_city` string,
  `customer_state` string,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint
)
PARTITIONED BY (`year` string, `month` string, `day` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-silver/customers/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer',
  'projection.year.range' = '2026,2026',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/customers/_v/000002/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [28] silver.customers: publish version 000002
ALTER TABLE `keystone`.`silver_customers` SET TBLPROPERTIES (
  'projection.year.range' = '2026,2026',
  'storage.location.template' = 's3://olist-data-lake-silver/customers/_v/000002/year=${year}/month=${month}/day=${day}/'
);

-- [29] silver.customers: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_customers__judged_v000002`;

-- [30] silver.customers: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_customers__merged_v000002`;

-- [31] silver.customers: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_customers__v000002`;

-- [32] silver.geolocation: judge 1 bronze version
CREATE TABLE "keystone"."silver_geolocation__judged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/geolocation/_v/000002/judged/') AS
SELECT j.*, date_format(j._ingested_at, '%Y') AS year, date_format(j._ingested_at, '%m') AS month, date_format(j._ingested_at, '%d') AS day FROM (WITH s1 AS (SELECT *, NULLIF(CASE WHEN length(regexp_replace("geolocation_zip_code_prefix", '^[ \t\r\n]+|[ \t\r\n]+$', '')) > 0 AND length(regexp_replace("geolocation_zip_code_prefix", '^[ \t\r\n]+|[ \t\r\n]+$', '')) < 5 THEN lpad(regexp_replace("geolocation_zip_code_prefix", '^[ \t\r\n]+|[ \t\r\n]+$', ''), 5, '0') ELSE regexp_replace("geolocation_zip_code_prefix", '^[ \t\r\n]+|[ \t\r\n]+$', '') END, '') AS "t__geolocation_zip_code_prefix", NULLIF(regexp_replace("geolocation_lat", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__geolocation_lat", NULLIF(regexp_replace("geolocation_lng", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__geolocation_lng", NULLIF(regexp_replace(normalize(lower(regexp_replace(regexp_replace("geolocation_city", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '[ \t\r\n]+', ' ')), NFD), '\p{Mn}', ''), '') AS "t__geolocation_city", NULLIF(upper(regexp_replace("geolocation_state", '^[ \t\r\n]+|[ \t\r\n]+$', '')), '') AS "t__geolocation_state" FROM (SELECT * FROM "keystone"."bronze_geolocation" WHERE _version IN ('000002'))),
  s2 AS (SELECT *, "t__geolocation_zip_code_prefix" AS "v__geolocation_zip_code_prefix", CASE WHEN regexp_like("t__geolocation_lat", '^(?:^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$)$') THEN try_cast("t__geolocation_lat" AS DOUBLE) END AS "v__geolocation_lat", CASE WHEN regexp_like("t__geolocation_lng", '^(?:^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$)$') THEN try_cast("t__geolocation_lng" AS DOUBLE) END AS "v__geolocation_lng", "t__geolocation_city" AS "v__geolocation_city", "t__geolocation_state" AS "v__geolocation_state" FROM s1),
  s3 AS (SELECT *, CASE WHEN "t__geolocation_zip_code_prefix" IS NULL THEN 'missing' WHEN "v__geolocation_zip_code_prefix" IS NULL THEN 'uncastable' WHEN NOT (regexp_like("v__geolocation_zip_code_prefix", '^(?:^[0-9]{5}$)$')) THEN 'out_of_domain' END AS "p__geolocation_zip_code_prefix", CASE WHEN "t__geolocation_lat" IS NULL THEN 'missing' WHEN "v__geolocation_lat" IS NULL THEN 'uncastable' WHEN NOT ("v__geolocation_lat" >= -34 AND "v__geolocation_lat" <= 5.5) THEN 'out_of_domain' END AS "p__geolocation_lat", CASE WHEN "t__geolocation_lng" IS NULL THEN 'missing' WHEN "v__geolocation_lng" IS NULL THEN 'uncastable' WHEN NOT ("v__geolocation_lng" >= -74.1 AND "v__geolocation_lng" <= -28.8) THEN 'out_of_domain' END AS "p__geolocation_lng", CASE WHEN "t__geolocation_city" IS NULL THEN 'missing' WHEN "v__geolocation_city" IS NULL THEN 'uncastable' END AS "p__geolocation_city", CASE WHEN "t__geolocation_state" IS NULL THEN 'missing' WHEN "v__geolocation_state" IS NULL THEN 'uncastable' WHEN NOT ("v__geolocation_state" IN ('AC', 'AL', 'AM', 'AP', 'BA', 'CE', 'DF', 'ES', 'GO', 'MA', 'MG', 'MS', 'MT', 'PA', 'PB', 'PE', 'PI', 'PR', 'RJ', 'RN', 'RO', 'RR', 'RS', 'SC', 'SE', 'SP', 'TO')) THEN 'out_of_domain' END AS "p__geolocation_state" FROM s2)
SELECT "v__geolocation_zip_code_prefix" AS "geolocation_zip_code_prefix", "v__geolocation_lat" AS "geolocation_lat", "v__geolocation_lng" AS "geolocation_lng", CASE WHEN "p__geolocation_city" IS NULL THEN "v__geolocation_city" END AS "geolocation_city", CASE WHEN "p__geolocation_state" IS NULL THEN "v__geolocation_state" END AS "geolocation_state",
  _ingest_id, _source_file, _source_row, _ingested_at, _raw_line, _parse_error,
  CASE WHEN _parse_error IS NOT NULL THEN 'malformed' WHEN "p__geolocation_zip_code_prefix" IS NOT NULL THEN CASE "p__geolocation_zip_code_prefix" WHEN 'missing' THEN 'missing_required' ELSE "p__geolocation_zip_code_prefix" END WHEN "p__geolocation_lat" IS NOT NULL THEN CASE "p__geolocation_lat" WHEN 'missing' THEN 'missing_required' ELSE "p__geolocation_lat" END WHEN "p__geolocation_lng" IS NOT NULL THEN CASE "p__geolocation_lng" WHEN 'missing' THEN 'missing_required' ELSE "p__geolocation_lng" END END AS _reason,
  CASE WHEN _parse_error IS NOT NULL THEN NULL WHEN "p__geolocation_zip_code_prefix" IS NOT NULL THEN 'geolocation_zip_code_prefix' WHEN "p__geolocation_lat" IS NOT NULL THEN 'geolocation_lat' WHEN "p__geolocation_lng" IS NOT NULL THEN 'geolocation_lng' END AS _reason_column,
  CASE WHEN _parse_error IS NOT NULL THEN _raw_line WHEN "p__geolocation_zip_code_prefix" IS NOT NULL THEN "geolocation_zip_code_prefix" WHEN "p__geolocation_lat" IS NOT NULL THEN "geolocation_lat" WHEN "p__geolocation_lng" IS NOT NULL THEN "geolocation_lng" END AS _reason_raw,
  (CASE WHEN "p__geolocation_city" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__geolocation_state" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END) AS _nulled
FROM s3) j;

-- [33] silver.geolocation: quarantine
ALTER TABLE `keystone`.`silver_quarantine` ADD IF NOT EXISTS PARTITION (`_version` = '000003') LOCATION 's3://olist-data-lake-silver/quarantine/_v/000003/';

-- [34] silver.geolocation: quarantine
INSERT INTO "keystone"."silver_quarantine"
SELECT 'geolocation' AS table_name, _reason_column AS column_name, _reason_raw AS raw_value, _reason AS reason,
       _parse_error AS detail, _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row,
       'run-fixture-0001' AS run_id, CAST(current_timestamp AS timestamp) AS quarantined_at, '000003' AS _version
FROM "keystone"."silver_geolocation__judged_v000002" WHERE _reason IS NOT NULL;

-- [35] silver.geolocation: latest row per key
CREATE TABLE "keystone"."silver_geolocation__merged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/geolocation/_v/000002/merged/') AS
SELECT "geolocation_zip_code_prefix", "geolocation_lat", "geolocation_lng", "geolocation_city", "geolocation_state", _ingest_id, _source_file, _source_row, year, month, day FROM (SELECT *, row_number() OVER (PARTITION BY "geolocation_zip_code_prefix", "geolocation_lat", "geolocation_lng", "geolocation_city", "geolocation_state" ORDER BY _ingest_id DESC, _source_row DESC) AS _rn FROM (SELECT "geolocation_zip_code_prefix", "geolocation_lat", "geolocation_lng", "geolocation_city", "geolocation_state", _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row, year, month, day FROM "keystone"."silver_geolocation__judged_v000002" WHERE _reason IS NULL
  UNION ALL SELECT "geolocation_zip_code_prefix", "geolocation_lat", "geolocation_lng", "geolocation_city", "geolocation_state", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_geolocation")) WHERE _rn = 1;

-- [36] silver.geolocation: partitions to write
SELECT DISTINCT year, month, day FROM "keystone"."silver_geolocation__merged_v000002" ORDER BY 1, 2, 3;

-- [37] silver.geolocation: write partitions 1–2 of 2 (20261120..20261121)
CREATE TABLE "keystone"."silver_geolocation__v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', partitioned_by = ARRAY['year', 'month', 'day'], external_location = 's3://olist-data-lake-silver/geolocation/_v/000002/') AS
SELECT "geolocation_zip_code_prefix", "geolocation_lat", "geolocation_lng", "geolocation_city", "geolocation_state", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_geolocation__merged_v000002"
WHERE concat(year, month, day) BETWEEN '20261120' AND '20261121';

-- [38] silver.geolocation: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`silver_geolocation` (
  `geolocation_zip_code_prefix` string,
  `geolocation_lat` double,
  `geolocation_lng` double,
  `geolocation_city` string,
  `geolocation_state` string,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint
)
PARTITIONED BY (`year` string, `month` string, `day` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-silver/geolocation/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer',
  'projection.year.range' = '2026,2026',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/geolocation/_v/000002/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [39] silver.geolocation: publish version 000002
ALTER TABLE `keystone`.`silver_geolocation` SET TBLPROPERTIES (
  'projection.year.range' = '2026,2026',
  'storage.location.template' = 's3://olist-data-lake-silver/geolocation/_v/000002/year=${year}/month=${month}/day=${day}/'
);

-- [40] silver.geolocation: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_geolocation__judged_v000002`;

-- [41] silver.geolocation: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_geolocation__merged_v000002`;

-- [42] silver.geolocation: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_geolocation__v000002`;

-- [43] silver.order_items: judge 1 bronze version
CREATE TABLE "keystone"."silver_order_items__judged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/order_items/_v/000002/judged/') AS
SELECT j.*, date_format(CAST(j."shipping_limit_date" AS timestamp), '%Y') AS year, date_format(CAST(j."shipping_limit_date" AS timestamp), '%m') AS month, date_format(CAST(j."shipping_limit_date" AS timestamp), '%d') AS day FROM (WITH s1 AS (SELECT *, NULLIF(regexp_replace("order_id", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__order_id", NULLIF(regexp_replace("order_item_id", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__order_item_id", NULLIF(regexp_replace("product_id", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__product_id", NULLIF(regexp_replace("seller_id", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__seller_id", NULLIF(regexp_replace("shipping_limit_date", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__shipping_limit_date", NULLIF(regexp_replace("price", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__price", NULLIF(regexp_replace("freight_value", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__freight_value" FROM (SELECT * FROM "keystone"."bronze_order_items" WHERE _version IN ('000002'))),
  s2 AS (SELECT *, "t__order_id" AS "v__order_id", CASE WHEN regexp_like("t__order_item_id", '^(?:^[+-]?[0-9]{1,15}(\.0+)?$)$') THEN try_cast(split_part("t__order_item_id", '.', 1) AS BIGINT) END AS "v__order_item_id", "t__product_id" AS "v__product_id", "t__seller_id" AS "v__seller_id", CASE WHEN regexp_like("t__shipping_limit_date", '^(?:^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?$)$') THEN try_cast("t__shipping_limit_date" AS TIMESTAMP) END AS "v__shipping_limit_date", CASE WHEN regexp_like("t__price", '^(?:^[+-]?([0-9]{1,10}(\.[0-9]*)?|\.[0-9]+)$)$') THEN CAST(round(try_cast(regexp_extract("t__price", '^[+-]?[0-9]*(\.[0-9]{0,3})?') AS DECIMAL(16,3)), 2) AS DECIMAL(12,2)) END AS "v__price", CASE WHEN regexp_like("t__freight_value", '^(?:^[+-]?([0-9]{1,10}(\.[0-9]*)?|\.[0-9]+)$)$') THEN CAST(round(try_cast(regexp_extract("t__freight_value", '^[+-]?[0-9]*(\.[0-9]{0,3})?') AS DECIMAL(16,3)), 2) AS DECIMAL(12,2)) END AS "v__freight_value" FROM s1),
  s3 AS (SELECT *, CASE WHEN "t__order_id" IS NULL THEN 'missing' WHEN "v__order_id" IS NULL THEN 'uncastable' END AS "p__order_id", CASE WHEN "t__order_item_id" IS NULL THEN 'missing' WHEN "v__order_item_id" IS NULL THEN 'uncastable' WHEN NOT ("v__order_item_id" >= 1) THEN 'out_of_domain' END AS "p__order_item_id", CASE WHEN "t__product_id" IS NULL THEN 'missing' WHEN "v__product_id" IS NULL THEN 'uncastable' END AS "p__product_id", CASE WHEN "t__seller_id" IS NULL THEN 'missing' WHEN "v__seller_id" IS NULL THEN 'uncastable' END AS "p__seller_id", CASE WHEN "t__shipping_limit_date" IS NULL THEN 'missing' WHEN "v__shipping_limit_date" IS NULL THEN 'uncastable' END AS "p__shipping_limit_date", CASE WHEN "t__price" IS NULL THEN 'missing' WHEN "v__price" IS NULL THEN 'uncastable' WHEN NOT ("v__price" > 0) THEN 'out_of_domain' END AS "p__price", CASE WHEN "t__freight_value" IS NULL THEN 'missing' WHEN "v__freight_value" IS NULL THEN 'uncastable' WHEN NOT ("v__freight_value" >= 0) THEN 'out_of_domain' END AS "p__freight_value" FROM s2)
SELECT "v__order_id" AS "order_id", "v__order_item_id" AS "order_item_id", "v__product_id" AS "product_id", "v__seller_id" AS "seller_id", "v__shipping_limit_date" AS "shipping_limit_date", "v__price" AS "price", "v__freight_value" AS "freight_value",
  _ingest_id, _source_file, _source_row, _ingested_at, _raw_line, _parse_error,
  CASE WHEN _parse_error IS NOT NULL THEN 'malformed' WHEN "p__order_id" IS NOT NULL THEN CASE "p__order_id" WHEN 'missing' THEN 'missing_required' ELSE "p__order_id" END WHEN "p__order_item_id" IS NOT NULL THEN CASE "p__order_item_id" WHEN 'missing' THEN 'missing_required' ELSE "p__order_item_id" END WHEN "p__product_id" IS NOT NULL THEN CASE "p__product_id" WHEN 'missing' THEN 'missing_required' ELSE "p__product_id" END WHEN "p__seller_id" IS NOT NULL THEN CASE "p__seller_id" WHEN 'missing' THEN 'missing_required' ELSE "p__seller_id" END WHEN "p__shipping_limit_date" IS NOT NULL THEN CASE "p__shipping_limit_date" WHEN 'missing' THEN 'missing_required' ELSE "p__shipping_limit_date" END WHEN "p__price" IS NOT NULL THEN CASE "p__price" WHEN 'missing' THEN 'missing_required' ELSE "p__price" END WHEN "p__freight_value" IS NOT NULL THEN CASE "p__freight_value" WHEN 'missing' THEN 'missing_required' ELSE "p__freight_value" END END AS _reason,
  CASE WHEN _parse_error IS NOT NULL THEN NULL WHEN "p__order_id" IS NOT NULL THEN 'order_id' WHEN "p__order_item_id" IS NOT NULL THEN 'order_item_id' WHEN "p__product_id" IS NOT NULL THEN 'product_id' WHEN "p__seller_id" IS NOT NULL THEN 'seller_id' WHEN "p__shipping_limit_date" IS NOT NULL THEN 'shipping_limit_date' WHEN "p__price" IS NOT NULL THEN 'price' WHEN "p__freight_value" IS NOT NULL THEN 'freight_value' END AS _reason_column,
  CASE WHEN _parse_error IS NOT NULL THEN _raw_line WHEN "p__order_id" IS NOT NULL THEN "order_id" WHEN "p__order_item_id" IS NOT NULL THEN "order_item_id" WHEN "p__product_id" IS NOT NULL THEN "product_id" WHEN "p__seller_id" IS NOT NULL THEN "seller_id" WHEN "p__shipping_limit_date" IS NOT NULL THEN "shipping_limit_date" WHEN "p__price" IS NOT NULL THEN "price" WHEN "p__freight_value" IS NOT NULL THEN "freight_value" END AS _reason_raw,
  0 AS _nulled
FROM s3) j;

-- [44] silver.order_items: quarantine
ALTER TABLE `keystone`.`silver_quarantine` ADD IF NOT EXISTS PARTITION (`_version` = '000004') LOCATION 's3://olist-data-lake-silver/quarantine/_v/000004/';

-- [45] silver.order_items: quarantine
INSERT INTO "keystone"."silver_quarantine"
SELECT 'order_items' AS table_name, _reason_column AS column_name, _reason_raw AS raw_value, _reason AS reason,
       _parse_error AS detail, _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row,
       'run-fixture-0001' AS run_id, CAST(current_timestamp AS timestamp) AS quarantined_at, '000004' AS _version
FROM "keystone"."silver_order_items__judged_v000002" WHERE _reason IS NOT NULL;

-- [46] silver.order_items: latest row per key
CREATE TABLE "keystone"."silver_order_items__merged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/order_items/_v/000002/merged/') AS
SELECT "order_id", "order_item_id", "product_id", "seller_id", "shipping_limit_date", "price", "freight_value", _ingest_id, _source_file, _source_row, year, month, day FROM (SELECT *, row_number() OVER (PARTITION BY "order_id", "order_item_id" ORDER BY _ingest_id DESC, _source_row DESC) AS _rn FROM (SELECT "order_id", "order_item_id", "product_id", "seller_id", "shipping_limit_date", "price", "freight_value", _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row, year, month, day FROM "keystone"."silver_order_items__judged_v000002" WHERE _reason IS NULL
  UNION ALL SELECT "order_id", "order_item_id", "product_id", "seller_id", "shipping_limit_date", "price", "freight_value", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_order_items")) WHERE _rn = 1;

-- [47] silver.order_items: partitions to write
SELECT DISTINCT year, month, day FROM "keystone"."silver_order_items__merged_v000002" ORDER BY 1, 2, 3;

-- [48] silver.order_items: write partitions 1–100 of 250 (20170101..20170410)
CREATE TABLE "keystone"."silver_order_items__v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', partitioned_by = ARRAY['year', 'month', 'day'], external_location = 's3://olist-data-lake-silver/order_items/_v/000002/') AS
SELECT "order_id", "order_item_id", "product_id", "seller_id", "shipping_limit_date", "price", "freight_value", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_order_items__merged_v000002"
WHERE concat(year, month, day) BETWEEN '20170101' AND '20170410';

-- [49] silver.order_items: write partitions 101–200 of 250 (20170411..20170719)
INSERT INTO "keystone"."silver_order_items__v000002"
SELECT "order_id", "order_item_id", "product_id", "seller_id", "shipping_limit_date", "price", "freight_value", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_order_items__merged_v000002"
WHERE concat(year, month, day) BETWEEN '20170411' AND '20170719';

-- [50] silver.order_items: write partitions 201–250 of 250 (20170720..20170907)
INSERT INTO "keystone"."silver_order_items__v000002"
SELECT "order_id", "order_item_id", "product_id", "seller_id", "shipping_limit_date", "price", "freight_value", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_order_items__merged_v000002"
WHERE concat(year, month, day) BETWEEN '20170720' AND '20170907';

-- [51] silver.order_items: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`silver_order_items` (
  `order_id` string,
  `order_item_id` bigint,
  `product_id` string,
  `seller_id` string,
  `shipping_limit_date` timestamp,
  `price` decimal(12,2),
  `freight_value` decimal(12,2),
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint
)
PARTITIONED BY (`year` string, `month` string, `day` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-silver/order_items/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer',
  'projection.year.range' = '2017,2017',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/order_items/_v/000002/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [52] silver.order_items: publish version 000002
ALTER TABLE `keystone`.`silver_order_items` SET TBLPROPERTIES (
  'projection.year.range' = '2017,2017',
  'storage.location.template' = 's3://olist-data-lake-silver/order_items/_v/000002/year=${year}/month=${month}/day=${day}/'
);

-- [53] silver.order_items: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_order_items__judged_v000002`;

-- [54] silver.order_items: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_order_items__merged_v000002`;

-- [55] silver.order_items: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_order_items__v000002`;

-- [56] silver.order_reviews: judge 1 bronze version
CREATE TABLE "keystone"."silver_order_reviews__judged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/order_reviews/_v/000002/judged/') AS
SELECT j.*, date_format(CAST(j."review_creation_date" AS timestamp), '%Y') AS year, date_format(CAST(j."review_creation_date" AS timestamp), '%m') AS month, date_format(CAST(j."review_creation_date" AS timestamp), '%d') AS day FROM (WITH s1 AS (SELECT *, NULLIF(regexp_replace("review_id", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__review_id", NULLIF(regexp_replace("order_id", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__order_id", NULLIF(regexp_replace("review_score", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__review_score", NULLIF(regexp_replace("review_comment_title", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__review_comment_title", NULLIF(regexp_replace("review_comment_message", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__review_comment_message", NULLIF(regexp_replace("review_creation_date", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__review_creation_date", NULLIF(regexp_replace("review_answer_timestamp", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__review_answer_timestamp" FROM (SELECT * FROM "keystone"."bronze_order_reviews" WHERE _version IN ('000002'))),
  s2 AS (SELECT *, "t__review_id" AS "v__review_id", "t__order_id" AS "v__order_id", CASE WHEN regexp_like("t__review_score", '^(?:^[+-]?[0-9]{1,15}(\.0+)?$)$') THEN try_cast(split_part("t__review_score", '.', 1) AS BIGINT) END AS "v__review_score", "t__review_comment_title" AS "v__review_comment_title", "t__review_comment_message" AS "v__review_comment_message", CASE WHEN regexp_like("t__review_creation_date", '^(?:^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?$)$') THEN CAST(try_cast("t__review_creation_date" AS TIMESTAMP) AS DATE) END AS "v__review_creation_date", CASE WHEN regexp_like("t__review_answer_timestamp", '^(?:^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?$)$') THEN try_cast("t__review_answer_timestamp" AS TIMESTAMP) END AS "v__review_answer_timestamp" FROM s1),
  s3 AS (SELECT *, CASE WHEN "t__review_id" IS NULL THEN 'missing' WHEN "v__review_id" IS NULL THEN 'uncastable' END AS "p__review_id", CASE WHEN "t__order_id" IS NULL THEN 'missing' WHEN "v__order_id" IS NULL THEN 'uncastable' END AS "p__order_id", CASE WHEN "t__review_score" IS NULL THEN 'missing' WHEN "v__review_score" IS NULL THEN 'uncastable' WHEN NOT ("v__review_score" >= 1 AND "v__review_score" <= 5) THEN 'out_of_domain' END AS "p__review_score", CASE WHEN "t__review_comment_title" IS NULL THEN 'missing' WHEN "v__review_comment_title" IS NULL THEN 'uncastable' END AS "p__review_comment_title", CASE WHEN "t__review_comment_message" IS NULL THEN 'missing' WHEN "v__review_comment_message" IS NULL THEN 'uncastable' END AS "p__review_comment_message", CASE WHEN "t__review_creation_date" IS NULL THEN 'missing' WHEN "v__review_creation_date" IS NULL THEN 'uncastable' END AS "p__review_creation_date", CASE WHEN "t__review_answer_timestamp" IS NULL THEN 'missing' WHEN "v__review_answer_timestamp" IS NULL THEN 'uncastable' END AS "p__review_answer_timestamp" FROM s2)
SELECT "v__review_id" AS "review_id", "v__order_id" AS "order_id", "v__review_score" AS "review_score", CASE WHEN "p__review_comment_title" IS NULL THEN "v__review_comment_title" END AS "review_comment_title", CASE WHEN "p__review_comment_message" IS NULL THEN "v__review_comment_message" END AS "review_comment_message", "v__review_creation_date" AS "review_creation_date", CASE WHEN "p__review_answer_timestamp" IS NULL THEN "v__review_answer_timestamp" END AS "review_answer_timestamp",
  _ingest_id, _source_file, _source_row, _ingested_at, _raw_line, _parse_error,
  CASE WHEN _parse_error IS NOT NULL THEN 'malformed' WHEN "p__review_id" IS NOT NULL THEN CASE "p__review_id" WHEN 'missing' THEN 'missing_required' ELSE "p__review_id" END WHEN "p__order_id" IS NOT NULL THEN CASE "p__order_id" WHEN 'missing' THEN 'missing_required' ELSE "p__order_id" END WHEN "p__review_score" IS NOT NULL THEN CASE "p__review_score" WHEN 'missing' THEN 'missing_required' ELSE "p__review_score" END WHEN "p__review_creation_date" IS NOT NULL THEN CASE "p__review_creation_date" WHEN 'missing' THEN 'missing_required' ELSE "p__review_creation_date" END END AS _reason,
  CASE WHEN _parse_error IS NOT NULL THEN NULL WHEN "p__review_id" IS NOT NULL THEN 'review_id' WHEN "p__order_id" IS NOT NULL THEN 'order_id' WHEN "p__review_score" IS NOT NULL THEN 'review_score' WHEN "p__review_creation_date" IS NOT NULL THEN 'review_creation_date' END AS _reason_column,
  CASE WHEN _parse_error IS NOT NULL THEN _raw_line WHEN "p__review_id" IS NOT NULL THEN "review_id" WHEN "p__order_id" IS NOT NULL THEN "order_id" WHEN "p__review_score" IS NOT NULL THEN "review_score" WHEN "p__review_creation_date" IS NOT NULL THEN "review_creation_date" END AS _reason_raw,
  (CASE WHEN "p__review_comment_title" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__review_comment_message" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__review_answer_timestamp" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END) AS _nulled
FROM s3) j;

-- [57] silver.order_reviews: quarantine
ALTER TABLE `keystone`.`silver_quarantine` ADD IF NOT EXISTS PARTITION (`_version` = '000006') LOCATION 's3://olist-data-lake-silver/quarantine/_v/000006/';

-- [58] silver.order_reviews: quarantine
INSERT INTO "keystone"."silver_quarantine"
SELECT 'order_reviews' AS table_name, _reason_column AS column_name, _reason_raw AS raw_value, _reason AS reason,
       _parse_error AS detail, _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row,
       'run-fixture-0001' AS run_id, CAST(current_timestamp AS timestamp) AS quarantined_at, '000006' AS _version
FROM "keystone"."silver_order_reviews__judged_v000002" WHERE _reason IS NOT NULL;

-- [59] silver.order_reviews: latest row per key
CREATE TABLE "keystone"."silver_order_reviews__merged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/order_reviews/_v/000002/merged/') AS
SELECT "review_id", "order_id", "review_score", "review_comment_title", "review_comment_message", "review_creation_date", "review_answer_timestamp", _ingest_id, _source_file, _source_row, year, month, day FROM (SELECT *, row_number() OVER (PARTITION BY "review_id", "order_id" ORDER BY _ingest_id DESC, _source_row DESC) AS _rn FROM (SELECT "review_id", "order_id", "review_score", "review_comment_title", "review_comment_message", "review_creation_date", "review_answer_timestamp", _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row, year, month, day FROM "keystone"."silver_order_reviews__judged_v000002" WHERE _reason IS NULL
  UNION ALL SELECT "review_id", "order_id", "review_score", "review_comment_title", "review_comment_message", "review_creation_date", "review_answer_timestamp", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_order_reviews")) WHERE _rn = 1;

-- [60] silver.order_reviews: partitions to write
SELECT DISTINCT year, month, day FROM "keystone"."silver_order_reviews__merged_v000002" ORDER BY 1, 2, 3;

-- [61] silver.order_reviews: write partitions 1–2 of 2 (20261120..20261121)
CREATE TABLE "keystone"."silver_order_reviews__v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', partitioned_by = ARRAY['year', 'month', 'day'], external_location = 's3://olist-data-lake-silver/order_reviews/_v/000002/') AS
SELECT "review_id", "order_id", "review_score", "review_comment_title", "review_comment_message", "review_creation_date", "review_answer_timestamp", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_order_reviews__merged_v000002"
WHERE concat(year, month, day) BETWEEN '20261120' AND '20261121';

-- [62] silver.order_reviews: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`silver_order_reviews` (
  `review_id` string,
  `order_id` string,
  `review_score` bigint,
  `review_comment_title` string,
  `review_comment_message` string,
  `review_creation_date` date,
  `review_answer_timestamp` timestamp,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint
)
PARTITIONED BY (`year` string, `month` string, `day` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-silver/order_reviews/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer',
  'projection.year.range' = '2026,2026',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/order_reviews/_v/000002/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [63] silver.order_reviews: publish version 000002
ALTER TABLE `keystone`.`silver_order_reviews` SET TBLPROPERTIES (
  'projection.year.range' = '2026,2026',
  'storage.location.template' = 's3://olist-data-lake-silver/order_reviews/_v/000002/year=${year}/month=${month}/day=${day}/'
);

-- [64] silver.order_reviews: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_order_reviews__judged_v000002`;

-- [65] silver.order_reviews: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_order_reviews__merged_v000002`;

-- [66] silver.order_reviews: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_order_reviews__v000002`;

-- [67] silver.orders: judge 1 bronze version
CREATE TABLE "keystone"."silver_orders__judged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/orders/_v/000002/judged/') AS
SELECT j.*, date_format(CAST(j."order_purchase_timestamp" AS timestamp), '%Y') AS year, date_format(CAST(j."order_purchase_timestamp" AS timestamp), '%m') AS month, date_format(CAST(j."order_purchase_timestamp" AS timestamp), '%d') AS day FROM (WITH s1 AS (SELECT *, NULLIF(regexp_replace("order_id", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__order_id", NULLIF(regexp_replace("customer_id", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__customer_id", NULLIF(lower(regexp_replace("order_status", '^[ \t\r\n]+|[ \t\r\n]+$', '')), '') AS "t__order_status", NULLIF(regexp_replace("order_purchase_timestamp", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__order_purchase_timestamp", NULLIF(regexp_replace("order_approved_at", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__order_approved_at", NULLIF(regexp_replace("order_delivered_carrier_date", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__order_delivered_carrier_date", NULLIF(regexp_replace("order_delivered_customer_date", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__order_delivered_customer_date", NULLIF(regexp_replace("order_estimated_delivery_date", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__order_estimated_delivery_date" FROM (SELECT * FROM "keystone"."bronze_orders" WHERE _version IN ('000002'))),
  s2 AS (SELECT *, "t__order_id" AS "v__order_id", "t__customer_id" AS "v__customer_id", "t__order_status" AS "v__order_status", CASE WHEN regexp_like("t__order_purchase_timestamp", '^(?:^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?$)$') THEN try_cast("t__order_purchase_timestamp" AS TIMESTAMP) END AS "v__order_purchase_timestamp", CASE WHEN regexp_like("t__order_approved_at", '^(?:^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?$)$') THEN try_cast("t__order_approved_at" AS TIMESTAMP) END AS "v__order_approved_at", CASE WHEN regexp_like("t__order_delivered_carrier_date", '^(?:^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?$)$') THEN try_cast("t__order_delivered_carrier_date" AS TIMESTAMP) END AS "v__order_delivered_carrier_date", CASE WHEN regexp_like("t__order_delivered_customer_date", '^(?:^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?$)$') THEN try_cast("t__order_delivered_customer_date" AS TIMESTAMP) END AS "v__order_delivered_customer_date", CASE WHEN regexp_like("t__order_estimated_delivery_date", '^(?:^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?$)$') THEN CAST(try_cast("t__order_estimated_delivery_date" AS TIMESTAMP) AS DATE) END AS "v__order_estimated_delivery_date" FROM s1),
  s3 AS (SELECT *, CASE WHEN "t__order_id" IS NULL THEN 'missing' WHEN "v__order_id" IS NULL THEN 'uncastable' END AS "p__order_id", CASE WHEN "t__customer_id" IS NULL THEN 'missing' WHEN "v__customer_id" IS NULL THEN 'uncastable' END AS "p__customer_id", CASE WHEN "t__order_status" IS NULL THEN 'missing' WHEN "v__order_status" IS NULL THEN 'uncastable' WHEN NOT ("v__order_status" IN ('created', 'approved', 'invoiced', 'processing', 'shipped', 'delivered', 'unavailable', 'canceled')) THEN 'out_of_domain' END AS "p__order_status", CASE WHEN "t__order_purchase_timestamp" IS NULL THEN 'missing' WHEN "v__order_purchase_timestamp" IS NULL THEN 'uncastable' END AS "p__order_purchase_timestamp", CASE WHEN "t__order_approved_at" IS NULL THEN 'missing' WHEN "v__order_approved_at" IS NULL THEN 'uncastable' END AS "p__order_approved_at", CASE WHEN "t__order_delivered_carrier_date" IS NULL THEN 'missing' WHEN "v__order_delivered_carrier_date" IS NULL THEN 'uncastable' END AS "p__order_delivered_carrier_date", CASE WHEN "t__order_delivered_customer_date" IS NULL THEN 'missing' WHEN "v__order_delivered_customer_date" IS NULL THEN 'uncastable' END AS "p__order_delivered_customer_date", CASE WHEN "t__order_estimated_delivery_date" IS NULL THEN 'missing' WHEN "v__order_estimated_delivery_date" IS NULL THEN 'uncastable' END AS "p__order_estimated_delivery_date" FROM s2)
SELECT "v__order_id" AS "order_id", "v__customer_id" AS "customer_id", "v__order_status" AS "order_status", "v__order_purchase_timestamp" AS "order_purchase_timestamp", CASE WHEN "p__order_approved_at" IS NULL THEN "v__order_approved_at" END AS "order_approved_at", CASE WHEN "p__order_delivered_carrier_date" IS NULL THEN "v__order_delivered_carrier_date" END AS "order_delivered_carrier_date", CASE WHEN "p__order_delivered_customer_date" IS NULL THEN "v__order_delivered_customer_date" END AS "order_delivered_customer_date", CASE WHEN "p__order_estimated_delivery_date" IS NULL THEN "v__order_estimated_delivery_date" END AS "order_estimated_delivery_date",
  _ingest_id, _source_file, _source_row, _ingested_at, _raw_line, _parse_error,
  CASE WHEN _parse_error IS NOT NULL THEN 'malformed' WHEN "p__order_id" IS NOT NULL THEN CASE "p__order_id" WHEN 'missing' THEN 'missing_required' ELSE "p__order_id" END WHEN "p__customer_id" IS NOT NULL THEN CASE "p__customer_id" WHEN 'missing' THEN 'missing_required' ELSE "p__customer_id" END WHEN "p__order_status" IS NOT NULL THEN CASE "p__order_status" WHEN 'missing' THEN 'missing_required' ELSE "p__order_status" END WHEN "p__order_purchase_timestamp" IS NOT NULL THEN CASE "p__order_purchase_timestamp" WHEN 'missing' THEN 'missing_required' ELSE "p__order_purchase_timestamp" END END AS _reason,
  CASE WHEN _parse_error IS NOT NULL THEN NULL WHEN "p__order_id" IS NOT NULL THEN 'order_id' WHEN "p__customer_id" IS NOT NULL THEN 'customer_id' WHEN "p__order_status" IS NOT NULL THEN 'order_status' WHEN "p__order_purchase_timestamp" IS NOT NULL THEN 'order_purchase_timestamp' END AS _reason_column,
  CASE WHEN _parse_error IS NOT NULL THEN _raw_line WHEN "p__order_id" IS NOT NULL THEN "order_id" WHEN "p__customer_id" IS NOT NULL THEN "customer_id" WHEN "p__order_status" IS NOT NULL THEN "order_status" WHEN "p__order_purchase_timestamp" IS NOT NULL THEN "order_purchase_timestamp" END AS _reason_raw,
  (CASE WHEN "p__order_approved_at" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__order_delivered_carrier_date" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__order_delivered_customer_date" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__order_estimated_delivery_date" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END) AS _nulled
FROM s3) j;

-- [68] silver.orders: quarantine
ALTER TABLE `keystone`.`silver_quarantine` ADD IF NOT EXISTS PARTITION (`_version` = '000007') LOCATION 's3://olist-data-lake-silver/quarantine/_v/000007/';

-- [69] silver.orders: quarantine
INSERT INTO "keystone"."silver_quarantine"
SELECT 'orders' AS table_name, _reason_column AS column_name, _reason_raw AS raw_value, _reason AS reason,
       _parse_error AS detail, _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row,
       'run-fixture-0001' AS run_id, CAST(current_timestamp AS timestamp) AS quarantined_at, '000007' AS _version
FROM "keystone"."silver_orders__judged_v000002" WHERE _reason IS NOT NULL;

-- [70] silver.orders: latest row per key
CREATE TABLE "keystone"."silver_orders__merged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/orders/_v/000002/merged/') AS
SELECT "order_id", "customer_id", "order_status", "order_purchase_timestamp", "order_approved_at", "order_delivered_carrier_date", "order_delivered_customer_date", "order_estimated_delivery_date", _ingest_id, _source_file, _source_row, year, month, day FROM (SELECT *, row_number() OVER (PARTITION BY "order_id" ORDER BY _ingest_id DESC, _source_row DESC) AS _rn FROM (SELECT "order_id", "customer_id", "order_status", "order_purchase_timestamp", "order_approved_at", "order_delivered_carrier_date", "order_delivered_customer_date", "order_estimated_delivery_date", _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row, year, month, day FROM "keystone"."silver_orders__judged_v000002" WHERE _reason IS NULL
  UNION ALL SELECT "order_id", "customer_id", "order_status", "order_purchase_timestamp", "order_approved_at", "order_delivered_carrier_date", "order_delivered_customer_date", "order_estimated_delivery_date", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_orders")) WHERE _rn = 1;

-- [71] silver.orders: partitions to write
SELECT DISTINCT year, month, day FROM "keystone"."silver_orders__merged_v000002" ORDER BY 1, 2, 3;

-- [72] silver.orders: write partitions 1–100 of 250 (20170101..20170410)
CREATE TABLE "keystone"."silver_orders__v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', partitioned_by = ARRAY['year', 'month', 'day'], external_location = 's3://olist-data-lake-silver/orders/_v/000002/') AS
SELECT "order_id", "customer_id", "order_status", "order_purchase_timestamp", "order_approved_at", "order_delivered_carrier_date", "order_delivered_customer_date", "order_estimated_delivery_date", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_orders__merged_v000002"
WHERE concat(year, month, day) BETWEEN '20170101' AND '20170410';

-- [73] silver.orders: write partitions 101–200 of 250 (20170411..20170719)
INSERT INTO "keystone"."silver_orders__v000002"
SELECT "order_id", "customer_id", "order_status", "order_purchase_timestamp", "order_approved_at", "order_delivered_carrier_date", "order_delivered_customer_date", "order_estimated_delivery_date", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_orders__merged_v000002"
WHERE concat(year, month, day) BETWEEN '20170411' AND '20170719';

-- [74] silver.orders: write partitions 201–250 of 250 (20170720..20170907)
INSERT INTO "keystone"."silver_orders__v000002"
SELECT "order_id", "customer_id", "order_status", "order_purchase_timestamp", "order_approved_at", "order_delivered_carrier_date", "order_delivered_customer_date", "order_estimated_delivery_date", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_orders__merged_v000002"
WHERE concat(year, month, day) BETWEEN '20170720' AND '20170907';

-- [75] silver.orders: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`silver_orders` (
  `order_id` string,
  `customer_id` string,
  `order_status` string,
  `order_purchase_timestamp` timestamp,
  `order_approved_at` timestamp,
  `order_delivered_carrier_date` timestamp,
  `order_delivered_customer_date` timestamp,
  `order_estimated_delivery_date` date,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint
)
PARTITIONED BY (`year` string, `month` string, `day` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-silver/orders/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer',
  'projection.year.range' = '2017,2017',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/orders/_v/000002/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [76] silver.orders: publish version 000002
ALTER TABLE `keystone`.`silver_orders` SET TBLPROPERTIES (
  'projection.year.range' = '2017,2017',
  'storage.location.template' = 's3://olist-data-lake-silver/orders/_v/000002/year=${year}/month=${month}/day=${day}/'
);

-- [77] silver.orders: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_orders__judged_v000002`;

-- [78] silver.orders: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_orders__merged_v000002`;

-- [79] silver.orders: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_orders__v000002`;

-- [80] silver.products: judge 1 bronze version
CREATE TABLE "keystone"."silver_products__judged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/products/_v/000002/judged/') AS
SELECT j.*, date_format(j._ingested_at, '%Y') AS year, date_format(j._ingested_at, '%m') AS month, date_format(j._ingested_at, '%d') AS day FROM (WITH s1 AS (SELECT *, NULLIF(regexp_replace("product_id", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__product_id", NULLIF(lower(regexp_replace("product_category_name", '^[ \t\r\n]+|[ \t\r\n]+$', '')), '') AS "t__product_category_name", NULLIF(regexp_replace("product_name_lenght", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__product_name_lenght", NULLIF(regexp_replace("product_description_lenght", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__product_description_lenght", NULLIF(regexp_replace("product_photos_qty", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__product_photos_qty", NULLIF(regexp_replace("product_weight_g", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__product_weight_g", NULLIF(regexp_replace("product_length_cm", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__product_length_cm", NULLIF(regexp_replace("product_height_cm", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__product_height_cm", NULLIF(regexp_replace("product_width_cm", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__product_width_cm" FROM (SELECT * FROM "keystone"."bronze_products" WHERE _version IN ('000002'))),
  s2 AS (SELECT *, "t__product_id" AS "v__product_id", "t__product_category_name" AS "v__product_category_name", CASE WHEN regexp_like("t__product_name_lenght", '^(?:^[+-]?[0-9]{1,15}(\.0+)?$)$') THEN try_cast(split_part("t__product_name_lenght", '.', 1) AS BIGINT) END AS "v__product_name_lenght", CASE WHEN regexp_like("t__product_description_lenght", '^(?:^[+-]?[0-9]{1,15}(\.0+)?$)$') THEN try_cast(split_part("t__product_description_lenght", '.', 1) AS BIGINT) END AS "v__product_description_lenght", CASE WHEN regexp_like("t__product_photos_qty", '^(?:^[+-]?[0-9]{1,15}(\.0+)?$)$') THEN try_cast(split_part("t__product_photos_qty", '.', 1) AS BIGINT) END AS "v__product_photos_qty", CASE WHEN regexp_like("t__product_weight_g", '^(?:^[+-]?[0-9]{1,15}(\.0+)?$)$') THEN try_cast(split_part("t__product_weight_g", '.', 1) AS BIGINT) END AS "v__product_weight_g", CASE WHEN regexp_like("t__product_length_cm", '^(?:^[+-]?[0-9]{1,15}(\.0+)?$)$') THEN try_cast(split_part("t__product_length_cm", '.', 1) AS BIGINT) END AS "v__product_length_cm", CASE WHEN regexp_like("t__product_height_cm", '^(?:^[+-]?[0-9]{1,15}(\.0+)?$)$') THEN try_cast(split_part("t__product_height_cm", '.', 1) AS BIGINT) END AS "v__product_height_cm", CASE WHEN regexp_like("t__product_width_cm", '^(?:^[+-]?[0-9]{1,15}(\.0+)?$)$') THEN try_cast(split_part("t__product_width_cm", '.', 1) AS BIGINT) END AS "v__product_width_cm" FROM s1),
  s3 AS (SELECT *, CASE WHEN "t__product_id" IS NULL THEN 'missing' WHEN "v__product_id" IS NULL THEN 'uncastable' END AS "p__product_id", CASE WHEN "t__product_category_name" IS NULL THEN 'missing' WHEN "v__product_category_name" IS NULL THEN 'uncastable' END AS "p__product_category_name", CASE WHEN "t__product_name_lenght" IS NULL THEN 'missing' WHEN "v__product_name_lenght" IS NULL THEN 'uncastable' WHEN NOT ("v__product_name_lenght" >= 0) THEN 'out_of_domain' END AS "p__product_name_lenght", CASE WHEN "t__product_description_lenght" IS NULL THEN 'missing' WHEN "v__product_description_lenght" IS NULL THEN 'uncastable' WHEN NOT ("v__product_description_lenght" >= 0) THEN 'out_of_domain' END AS "p__product_description_lenght", CASE WHEN "t__product_photos_qty" IS NULL THEN 'missing' WHEN "v__product_photos_qty" IS NULL THEN 'uncastable' WHEN NOT ("v__product_photos_qty" >= 0) THEN 'out_of_domain' END AS "p__product_photos_qty", CASE WHEN "t__product_weight_g" IS NULL THEN 'missing' WHEN "v__product_weight_g" IS NULL THEN 'uncastable' WHEN NOT ("v__product_weight_g" >= 0) THEN 'out_of_domain' END AS "p__product_weight_g", CASE WHEN "t__product_length_cm" IS NULL THEN 'missing' WHEN "v__product_length_cm" IS NULL THEN 'uncastable' WHEN NOT ("v__product_length_cm" >= 0) THEN 'out_of_domain' END AS "p__product_length_cm", CASE WHEN "t__product_height_cm" IS NULL THEN 'missing' WHEN "v__product_height_cm" IS NULL THEN 'uncastable' WHEN NOT ("v__product_height_cm" >= 0) THEN 'out_of_domain' END AS "p__product_height_cm", CASE WHEN "t__product_width_cm" IS NULL THEN 'missing' WHEN "v__product_width_cm" IS NULL THEN 'uncastable' WHEN NOT ("v__product_width_cm" >= 0) THEN 'out_of_domain' END AS "p__product_width_cm" FROM s2)
SELECT "v__product_id" AS "product_id", CASE WHEN "p__product_category_name" IS NULL THEN "v__product_category_name" END AS "product_category_name", CASE WHEN "p__product_name_lenght" IS NULL THEN "v__product_name_lenght" END AS "product_name_lenght", CASE WHEN "p__product_description_lenght" IS NULL THEN "v__product_description_lenght" END AS "product_description_lenght", CASE WHEN "p__product_photos_qty" IS NULL THEN "v__product_photos_qty" END AS "product_photos_qty", CASE WHEN "p__product_weight_g" IS NULL THEN "v__product_weight_g" END AS "product_weight_g", CASE WHEN "p__product_length_cm" IS NULL THEN "v__product_length_cm" END AS "product_length_cm", CASE WHEN "p__product_height_cm" IS NULL THEN "v__product_height_cm" END AS "product_height_cm", CASE WHEN "p__product_width_cm" IS NULL THEN "v__product_width_cm" END AS "product_width_cm",
  _ingest_id, _source_file, _source_row, _ingested_at, _raw_line, _parse_error,
  CASE WHEN _parse_error IS NOT NULL THEN 'malformed' WHEN "p__product_id" IS NOT NULL THEN CASE "p__product_id" WHEN 'missing' THEN 'missing_required' ELSE "p__product_id" END END AS _reason,
  CASE WHEN _parse_error IS NOT NULL THEN NULL WHEN "p__product_id" IS NOT NULL THEN 'product_id' END AS _reason_column,
  CASE WHEN _parse_error IS NOT NULL THEN _raw_line WHEN "p__product_id" IS NOT NULL THEN "product_id" END AS _reason_raw,
  (CASE WHEN "p__product_category_name" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__product_name_lenght" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__product_description_lenght" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__product_photos_qty" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__product_weight_g" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__product_length_cm" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__product_height_cm" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__product_width_cm" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END) AS _nulled
FROM s3) j;

-- [81] silver.products: quarantine
ALTER TABLE `keystone`.`silver_quarantine` ADD IF NOT EXISTS PARTITION (`_version` = '000008') LOCATION 's3://olist-data-lake-silver/quarantine/_v/000008/';

-- [82] silver.products: quarantine
INSERT INTO "keystone"."silver_quarantine"
SELECT 'products' AS table_name, _reason_column AS column_name, _reason_raw AS raw_value, _reason AS reason,
       _parse_error AS detail, _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row,
       'run-fixture-0001' AS run_id, CAST(current_timestamp AS timestamp) AS quarantined_at, '000008' AS _version
FROM "keystone"."silver_products__judged_v000002" WHERE _reason IS NOT NULL;

-- [83] silver.products: latest row per key
CREATE TABLE "keystone"."silver_products__merged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/products/_v/000002/merged/') AS
SELECT "product_id", "product_category_name", "product_name_lenght", "product_description_lenght", "product_photos_qty", "product_weight_g", "product_length_cm", "product_height_cm", "product_width_cm", _ingest_id, _source_file, _source_row, year, month, day FROM (SELECT *, row_number() OVER (PARTITION BY "product_id" ORDER BY _ingest_id DESC, _source_row DESC) AS _rn FROM (SELECT "product_id", "product_category_name", "product_name_lenght", "product_description_lenght", "product_photos_qty", "product_weight_g", "product_length_cm", "product_height_cm", "product_width_cm", _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row, year, month, day FROM "keystone"."silver_products__judged_v000002" WHERE _reason IS NULL
  UNION ALL SELECT "product_id", "product_category_name", "product_name_lenght", "product_description_lenght", "product_photos_qty", "product_weight_g", "product_length_cm", "product_height_cm", "product_width_cm", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_products")) WHERE _rn = 1;

-- [84] silver.products: partitions to write
SELECT DISTINCT year, month, day FROM "keystone"."silver_products__merged_v000002" ORDER BY 1, 2, 3;

-- [85] silver.products: write partitions 1–2 of 2 (20261120..20261121)
CREATE TABLE "keystone"."silver_products__v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', partitioned_by = ARRAY['year', 'month', 'day'], external_location = 's3://olist-data-lake-silver/products/_v/000002/') AS
SELECT "product_id", "product_category_name", "product_name_lenght", "product_description_lenght", "product_photos_qty", "product_weight_g", "product_length_cm", "product_height_cm", "product_width_cm", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_products__merged_v000002"
WHERE concat(year, month, day) BETWEEN '20261120' AND '20261121';

-- [86] silver.products: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`silver_products` (
  `product_id` string,
  `product_category_name` string,
  `product_name_lenght` bigint,
  `product_description_lenght` bigint,
  `product_photos_qty` bigint,
  `product_weight_g` bigint,
  `product_length_cm` bigint,
  `product_height_cm` bigint,
  `product_width_cm` bigint,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint
)
PARTITIONED BY (`year` string, `month` string, `day` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-silver/products/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer',
  'projection.year.range' = '2026,2026',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/products/_v/000002/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [87] silver.products: publish version 000002
ALTER TABLE `keystone`.`silver_products` SET TBLPROPERTIES (
  'projection.year.range' = '2026,2026',
  'storage.location.template' = 's3://olist-data-lake-silver/products/_v/000002/year=${year}/month=${month}/day=${day}/'
);

-- [88] silver.products: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_products__judged_v000002`;

-- [89] silver.products: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_products__merged_v000002`;

-- [90] silver.products: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_products__v000002`;

-- [91] silver.sellers: judge 1 bronze version
CREATE TABLE "keystone"."silver_sellers__judged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/sellers/_v/000002/judged/') AS
SELECT j.*, date_format(j._ingested_at, '%Y') AS year, date_format(j._ingested_at, '%m') AS month, date_format(j._ingested_at, '%d') AS day FROM (WITH s1 AS (SELECT *, NULLIF(regexp_replace("seller_id", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__seller_id", NULLIF(CASE WHEN length(regexp_replace("seller_zip_code_prefix", '^[ \t\r\n]+|[ \t\r\n]+$', '')) > 0 AND length(regexp_replace("seller_zip_code_prefix", '^[ \t\r\n]+|[ \t\r\n]+$', '')) < 5 THEN lpad(regexp_replace("seller_zip_code_prefix", '^[ \t\r\n]+|[ \t\r\n]+$', ''), 5, '0') ELSE regexp_replace("seller_zip_code_prefix", '^[ \t\r\n]+|[ \t\r\n]+$', '') END, '') AS "t__seller_zip_code_prefix", NULLIF(regexp_replace(normalize(lower(regexp_replace(regexp_replace("seller_city", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '[ \t\r\n]+', ' ')), NFD), '\p{Mn}', ''), '') AS "t__seller_city", NULLIF(upper(regexp_replace("seller_state", '^[ \t\r\n]+|[ \t\r\n]+$', '')), '') AS "t__seller_state" FROM (SELECT * FROM "keystone"."bronze_sellers" WHERE _version IN ('000002'))),
  s2 AS (SELECT *, "t__seller_id" AS "v__seller_id", "t__seller_zip_code_prefix" AS "v__seller_zip_code_prefix", "t__seller_city" AS "v__seller_city", "t__seller_state" AS "v__seller_state" FROM s1),
  s3 AS (SELECT *, CASE WHEN "t__seller_id" IS NULL THEN 'missing' WHEN "v__seller_id" IS NULL THEN 'uncastable' END AS "p__seller_id", CASE WHEN "t__seller_zip_code_prefix" IS NULL THEN 'missing' WHEN "v__seller_zip_code_prefix" IS NULL THEN 'uncastable' WHEN NOT (regexp_like("v__seller_zip_code_prefix", '^(?:^[0-9]{5}$)$')) THEN 'out_of_domain' END AS "p__seller_zip_code_prefix", CASE WHEN "t__seller_city" IS NULL THEN 'missing' WHEN "v__seller_city" IS NULL THEN 'uncastable' END AS "p__seller_city", CASE WHEN "t__seller_state" IS NULL THEN 'missing' WHEN "v__seller_state" IS NULL THEN 'uncastable' WHEN NOT ("v__seller_state" IN ('AC', 'AL', 'AM', 'AP', 'BA', 'CE', 'DF', 'ES', 'GO', 'MA', 'MG', 'MS', 'MT', 'PA', 'PB', 'PE', 'PI', 'PR', 'RJ', 'RN', 'RO', 'RR', 'RS', 'SC', 'SE', 'SP', 'TO')) THEN 'out_of_domain' END AS "p__seller_state" FROM s2)
SELECT "v__seller_id" AS "seller_id", "v__seller_zip_code_prefix" AS "seller_zip_code_prefix", CASE WHEN "p__seller_city" IS NULL THEN "v__seller_city" END AS "seller_city", CASE WHEN "p__seller_state" IS NULL THEN "v__seller_state" END AS "seller_state",
  _ingest_id, _source_file, _source_row, _ingested_at, _raw_line, _parse_error,
  CASE WHEN _parse_error IS NOT NULL THEN 'malformed' WHEN "p__seller_id" IS NOT NULL THEN CASE "p__seller_id" WHEN 'missing' THEN 'missing_required' ELSE "p__seller_id" END WHEN "p__seller_zip_code_prefix" IS NOT NULL THEN CASE "p__seller_zip_code_prefix" WHEN 'missing' THEN 'missing_required' ELSE "p__seller_zip_code_prefix" END END AS _reason,
  CASE WHEN _parse_error IS NOT NULL THEN NULL WHEN "p__seller_id" IS NOT NULL THEN 'seller_id' WHEN "p__seller_zip_code_prefix" IS NOT NULL THEN 'seller_zip_code_prefix' END AS _reason_column,
  CASE WHEN _parse_error IS NOT NULL THEN _raw_line WHEN "p__seller_id" IS NOT NULL THEN "seller_id" WHEN "p__seller_zip_code_prefix" IS NOT NULL THEN "seller_zip_code_prefix" END AS _reason_raw,
  (CASE WHEN "p__seller_city" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END + CASE WHEN "p__seller_state" IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END) AS _nulled
FROM s3) j;

-- [92] silver.sellers: quarantine
ALTER TABLE `keystone`.`silver_quarantine` ADD IF NOT EXISTS PARTITION (`_version` = '000009') LOCATION 's3://olist-data-lake-silver/quarantine/_v/000009/';

-- [93] silver.sellers: quarantine
INSERT INTO "keystone"."silver_quarantine"
SELECT 'sellers' AS table_name, _reason_column AS column_name, _reason_raw AS raw_value, _reason AS reason,
       _parse_error AS detail, _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row,
       'run-fixture-0001' AS run_id, CAST(current_timestamp AS timestamp) AS quarantined_at, '000009' AS _version
FROM "keystone"."silver_sellers__judged_v000002" WHERE _reason IS NOT NULL;

-- [94] silver.sellers: latest row per key
CREATE TABLE "keystone"."silver_sellers__merged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/sellers/_v/000002/merged/') AS
SELECT "seller_id", "seller_zip_code_prefix", "seller_city", "seller_state", _ingest_id, _source_file, _source_row, year, month, day FROM (SELECT *, row_number() OVER (PARTITION BY "seller_id" ORDER BY _ingest_id DESC, _source_row DESC) AS _rn FROM (SELECT "seller_id", "seller_zip_code_prefix", "seller_city", "seller_state", _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row, year, month, day FROM "keystone"."silver_sellers__judged_v000002" WHERE _reason IS NULL
  UNION ALL SELECT "seller_id", "seller_zip_code_prefix", "seller_city", "seller_state", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_sellers")) WHERE _rn = 1;

-- [95] silver.sellers: partitions to write
SELECT DISTINCT year, month, day FROM "keystone"."silver_sellers__merged_v000002" ORDER BY 1, 2, 3;

-- [96] silver.sellers: write partitions 1–2 of 2 (20261120..20261121)
CREATE TABLE "keystone"."silver_sellers__v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', partitioned_by = ARRAY['year', 'month', 'day'], external_location = 's3://olist-data-lake-silver/sellers/_v/000002/') AS
SELECT "seller_id", "seller_zip_code_prefix", "seller_city", "seller_state", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_sellers__merged_v000002"
WHERE concat(year, month, day) BETWEEN '20261120' AND '20261121';

-- [97] silver.sellers: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`silver_sellers` (
  `seller_id` string,
  `seller_zip_code_prefix` string,
  `seller_city` string,
  `seller_state` string,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint
)
PARTITIONED BY (`year` string, `month` string, `day` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-silver/sellers/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer',
  'projection.year.range' = '2026,2026',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/sellers/_v/000002/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [98] silver.sellers: publish version 000002
ALTER TABLE `keystone`.`silver_sellers` SET TBLPROPERTIES (
  'projection.year.range' = '2026,2026',
  'storage.location.template' = 's3://olist-data-lake-silver/sellers/_v/000002/year=${year}/month=${month}/day=${day}/'
);

-- [99] silver.sellers: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_sellers__judged_v000002`;

-- [100] silver.sellers: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_sellers__merged_v000002`;

-- [101] silver.sellers: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_sellers__v000002`;

-- [102] silver.category_translation: judge 1 bronze version
CREATE TABLE "keystone"."silver_category_translation__judged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/category_translation/_v/000002/judged/') AS
SELECT j.*, date_format(j._ingested_at, '%Y') AS year, date_format(j._ingested_at, '%m') AS month, date_format(j._ingested_at, '%d') AS day FROM (WITH s1 AS (SELECT *, NULLIF(lower(regexp_replace("product_category_name", '^[ \t\r\n]+|[ \t\r\n]+$', '')), '') AS "t__product_category_name", NULLIF(lower(regexp_replace("product_category_name_english", '^[ \t\r\n]+|[ \t\r\n]+$', '')), '') AS "t__product_category_name_english" FROM (SELECT * FROM "keystone"."bronze_category_translation" WHERE _version IN ('000002'))),
  s2 AS (SELECT *, "t__product_category_name" AS "v__product_category_name", "t__product_category_name_english" AS "v__product_category_name_english" FROM s1),
  s3 AS (SELECT *, CASE WHEN "t__product_category_name" IS NULL THEN 'missing' WHEN "v__product_category_name" IS NULL THEN 'uncastable' END AS "p__product_category_name", CASE WHEN "t__product_category_name_english" IS NULL THEN 'missing' WHEN "v__product_category_name_english" IS NULL THEN 'uncastable' END AS "p__product_category_name_english" FROM s2)
SELECT "v__product_category_name" AS "product_category_name", "v__product_category_name_english" AS "product_category_name_english",
  _ingest_id, _source_file, _source_row, _ingested_at, _raw_line, _parse_error,
  CASE WHEN _parse_error IS NOT NULL THEN 'malformed' WHEN "p__product_category_name" IS NOT NULL THEN CASE "p__product_category_name" WHEN 'missing' THEN 'missing_required' ELSE "p__product_category_name" END WHEN "p__product_category_name_english" IS NOT NULL THEN CASE "p__product_category_name_english" WHEN 'missing' THEN 'missing_required' ELSE "p__product_category_name_english" END END AS _reason,
  CASE WHEN _parse_error IS NOT NULL THEN NULL WHEN "p__product_category_name" IS NOT NULL THEN 'product_category_name' WHEN "p__product_category_name_english" IS NOT NULL THEN 'product_category_name_english' END AS _reason_column,
  CASE WHEN _parse_error IS NOT NULL THEN _raw_line WHEN "p__product_category_name" IS NOT NULL THEN "product_category_name" WHEN "p__product_category_name_english" IS NOT NULL THEN "product_category_name_english" END AS _reason_raw,
  0 AS _nulled
FROM s3) j;

-- [103] silver.category_translation: quarantine
ALTER TABLE `keystone`.`silver_quarantine` ADD IF NOT EXISTS PARTITION (`_version` = '000010') LOCATION 's3://olist-data-lake-silver/quarantine/_v/000010/';

-- [104] silver.category_translation: quarantine
INSERT INTO "keystone"."silver_quarantine"
SELECT 'category_translation' AS table_name, _reason_column AS column_name, _reason_raw AS raw_value, _reason AS reason,
       _parse_error AS detail, _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row,
       'run-fixture-0001' AS run_id, CAST(current_timestamp AS timestamp) AS quarantined_at, '000010' AS _version
FROM "keystone"."silver_category_translation__judged_v000002" WHERE _reason IS NOT NULL;

-- [105] silver.category_translation: latest row per key
CREATE TABLE "keystone"."silver_category_translation__merged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/category_translation/_v/000002/merged/') AS
SELECT "product_category_name", "product_category_name_english", _ingest_id, _source_file, _source_row, year, month, day FROM (SELECT *, row_number() OVER (PARTITION BY "product_category_name" ORDER BY _ingest_id DESC, _source_row DESC) AS _rn FROM (SELECT "product_category_name", "product_category_name_english", _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row, year, month, day FROM "keystone"."silver_category_translation__judged_v000002" WHERE _reason IS NULL
  UNION ALL SELECT "product_category_name", "product_category_name_english", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_category_translation")) WHERE _rn = 1;

-- [106] silver.category_translation: partitions to write
SELECT DISTINCT year, month, day FROM "keystone"."silver_category_translation__merged_v000002" ORDER BY 1, 2, 3;

-- [107] silver.category_translation: write partitions 1–2 of 2 (20261120..20261121)
CREATE TABLE "keystone"."silver_category_translation__v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', partitioned_by = ARRAY['year', 'month', 'day'], external_location = 's3://olist-data-lake-silver/category_translation/_v/000002/') AS
SELECT "product_category_name", "product_category_name_english", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_category_translation__merged_v000002"
WHERE concat(year, month, day) BETWEEN '20261120' AND '20261121';

-- [108] silver.category_translation: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`silver_category_translation` (
  `product_category_name` string,
  `product_category_name_english` string,
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint
)
PARTITIONED BY (`year` string, `month` string, `day` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-silver/category_translation/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer',
  'projection.year.range' = '2026,2026',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/category_translation/_v/000002/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [109] silver.category_translation: publish version 000002
ALTER TABLE `keystone`.`silver_category_translation` SET TBLPROPERTIES (
  'projection.year.range' = '2026,2026',
  'storage.location.template' = 's3://olist-data-lake-silver/category_translation/_v/000002/year=${year}/month=${month}/day=${day}/'
);

-- [110] silver.category_translation: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_category_translation__judged_v000002`;

-- [111] silver.category_translation: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_category_translation__merged_v000002`;

-- [112] silver.category_translation: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_category_translation__v000002`;

-- [113] silver.order_payments: judge 1 bronze version
CREATE TABLE "keystone"."silver_order_payments__judged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/order_payments/_v/000002/judged/') AS
SELECT j.*, date_format(coalesce(CAST(lk."order_purchase_timestamp" AS timestamp), j._ingested_at), '%Y') AS year, date_format(coalesce(CAST(lk."order_purchase_timestamp" AS timestamp), j._ingested_at), '%m') AS month, date_format(coalesce(CAST(lk."order_purchase_timestamp" AS timestamp), j._ingested_at), '%d') AS day FROM (WITH s1 AS (SELECT *, NULLIF(regexp_replace("order_id", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__order_id", NULLIF(regexp_replace("payment_sequential", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__payment_sequential", NULLIF(lower(regexp_replace("payment_type", '^[ \t\r\n]+|[ \t\r\n]+$', '')), '') AS "t__payment_type", NULLIF(regexp_replace("payment_installments", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__payment_installments", NULLIF(regexp_replace("payment_value", '^[ \t\r\n]+|[ \t\r\n]+$', ''), '') AS "t__payment_value" FROM (SELECT * FROM "keystone"."bronze_order_payments" WHERE _version IN ('000002'))),
  s2 AS (SELECT *, "t__order_id" AS "v__order_id", CASE WHEN regexp_like("t__payment_sequential", '^(?:^[+-]?[0-9]{1,15}(\.0+)?$)$') THEN try_cast(split_part("t__payment_sequential", '.', 1) AS BIGINT) END AS "v__payment_sequential", "t__payment_type" AS "v__payment_type", CASE WHEN regexp_like("t__payment_installments", '^(?:^[+-]?[0-9]{1,15}(\.0+)?$)$') THEN try_cast(split_part("t__payment_installments", '.', 1) AS BIGINT) END AS "v__payment_installments", CASE WHEN regexp_like("t__payment_value", '^(?:^[+-]?([0-9]{1,10}(\.[0-9]*)?|\.[0-9]+)$)$') THEN CAST(round(try_cast(regexp_extract("t__payment_value", '^[+-]?[0-9]*(\.[0-9]{0,3})?') AS DECIMAL(16,3)), 2) AS DECIMAL(12,2)) END AS "v__payment_value" FROM s1),
  s3 AS (SELECT *, CASE WHEN "t__order_id" IS NULL THEN 'missing' WHEN "v__order_id" IS NULL THEN 'uncastable' END AS "p__order_id", CASE WHEN "t__payment_sequential" IS NULL THEN 'missing' WHEN "v__payment_sequential" IS NULL THEN 'uncastable' WHEN NOT ("v__payment_sequential" >= 1) THEN 'out_of_domain' END AS "p__payment_sequential", CASE WHEN "t__payment_type" IS NULL THEN 'missing' WHEN "v__payment_type" IS NULL THEN 'uncastable' WHEN NOT ("v__payment_type" IN ('credit_card', 'boleto', 'voucher', 'debit_card', 'not_defined')) THEN 'out_of_domain' END AS "p__payment_type", CASE WHEN "t__payment_installments" IS NULL THEN 'missing' WHEN "v__payment_installments" IS NULL THEN 'uncastable' WHEN NOT ("v__payment_installments" >= 0 AND "v__payment_installments" <= 24) THEN 'out_of_domain' END AS "p__payment_installments", CASE WHEN "t__payment_value" IS NULL THEN 'missing' WHEN "v__payment_value" IS NULL THEN 'uncastable' WHEN NOT ("v__payment_value" >= 0) THEN 'out_of_domain' END AS "p__payment_value" FROM s2)
SELECT "v__order_id" AS "order_id", "v__payment_sequential" AS "payment_sequential", "v__payment_type" AS "payment_type", "v__payment_installments" AS "payment_installments", "v__payment_value" AS "payment_value",
  _ingest_id, _source_file, _source_row, _ingested_at, _raw_line, _parse_error,
  CASE WHEN _parse_error IS NOT NULL THEN 'malformed' WHEN "p__order_id" IS NOT NULL THEN CASE "p__order_id" WHEN 'missing' THEN 'missing_required' ELSE "p__order_id" END WHEN "p__payment_sequential" IS NOT NULL THEN CASE "p__payment_sequential" WHEN 'missing' THEN 'missing_required' ELSE "p__payment_sequential" END WHEN "p__payment_type" IS NOT NULL THEN CASE "p__payment_type" WHEN 'missing' THEN 'missing_required' ELSE "p__payment_type" END WHEN "p__payment_installments" IS NOT NULL THEN CASE "p__payment_installments" WHEN 'missing' THEN 'missing_required' ELSE "p__payment_installments" END WHEN "p__payment_value" IS NOT NULL THEN CASE "p__payment_value" WHEN 'missing' THEN 'missing_required' ELSE "p__payment_value" END END AS _reason,
  CASE WHEN _parse_error IS NOT NULL THEN NULL WHEN "p__order_id" IS NOT NULL THEN 'order_id' WHEN "p__payment_sequential" IS NOT NULL THEN 'payment_sequential' WHEN "p__payment_type" IS NOT NULL THEN 'payment_type' WHEN "p__payment_installments" IS NOT NULL THEN 'payment_installments' WHEN "p__payment_value" IS NOT NULL THEN 'payment_value' END AS _reason_column,
  CASE WHEN _parse_error IS NOT NULL THEN _raw_line WHEN "p__order_id" IS NOT NULL THEN "order_id" WHEN "p__payment_sequential" IS NOT NULL THEN "payment_sequential" WHEN "p__payment_type" IS NOT NULL THEN "payment_type" WHEN "p__payment_installments" IS NOT NULL THEN "payment_installments" WHEN "p__payment_value" IS NOT NULL THEN "payment_value" END AS _reason_raw,
  0 AS _nulled
FROM s3) j LEFT JOIN (SELECT "order_id", arbitrary("order_purchase_timestamp") AS "order_purchase_timestamp" FROM "keystone"."silver_orders" GROUP BY "order_id") lk ON lk."order_id" = j."order_id";

-- [114] silver.order_payments: quarantine
ALTER TABLE `keystone`.`silver_quarantine` ADD IF NOT EXISTS PARTITION (`_version` = '000005') LOCATION 's3://olist-data-lake-silver/quarantine/_v/000005/';

-- [115] silver.order_payments: quarantine
INSERT INTO "keystone"."silver_quarantine"
SELECT 'order_payments' AS table_name, _reason_column AS column_name, _reason_raw AS raw_value, _reason AS reason,
       _parse_error AS detail, _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row,
       'run-fixture-0001' AS run_id, CAST(current_timestamp AS timestamp) AS quarantined_at, '000005' AS _version
FROM "keystone"."silver_order_payments__judged_v000002" WHERE _reason IS NOT NULL;

-- [116] silver.order_payments: latest row per key
CREATE TABLE "keystone"."silver_order_payments__merged_v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-silver/_work/order_payments/_v/000002/merged/') AS
SELECT "order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value", _ingest_id, _source_file, _source_row, year, month, day FROM (SELECT *, row_number() OVER (PARTITION BY "order_id", "payment_sequential" ORDER BY _ingest_id DESC, _source_row DESC) AS _rn FROM (SELECT "order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value", _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row, year, month, day FROM "keystone"."silver_order_payments__judged_v000002" WHERE _reason IS NULL
  UNION ALL SELECT "order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_order_payments")) WHERE _rn = 1;

-- [117] silver.order_payments: partitions to write
SELECT DISTINCT year, month, day FROM "keystone"."silver_order_payments__merged_v000002" ORDER BY 1, 2, 3;

-- [118] silver.order_payments: write partitions 1–2 of 2 (20261120..20261121)
CREATE TABLE "keystone"."silver_order_payments__v000002"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', partitioned_by = ARRAY['year', 'month', 'day'], external_location = 's3://olist-data-lake-silver/order_payments/_v/000002/') AS
SELECT "order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value", _ingest_id, _source_file, _source_row, year, month, day FROM "keystone"."silver_order_payments__merged_v000002"
WHERE concat(year, month, day) BETWEEN '20261120' AND '20261121';

-- [119] silver.order_payments: table
CREATE EXTERNAL TABLE IF NOT EXISTS `keystone`.`silver_order_payments` (
  `order_id` string,
  `payment_sequential` bigint,
  `payment_type` string,
  `payment_installments` bigint,
  `payment_value` decimal(12,2),
  `_ingest_id` string,
  `_source_file` string,
  `_source_row` bigint
)
PARTITIONED BY (`year` string, `month` string, `day` string)
STORED AS PARQUET
LOCATION 's3://olist-data-lake-silver/order_payments/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer',
  'projection.year.range' = '2026,2026',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/order_payments/_v/000002/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [120] silver.order_payments: publish version 000002
ALTER TABLE `keystone`.`silver_order_payments` SET TBLPROPERTIES (
  'projection.year.range' = '2026,2026',
  'storage.location.template' = 's3://olist-data-lake-silver/order_payments/_v/000002/year=${year}/month=${month}/day=${day}/'
);

-- [121] silver.order_payments: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_order_payments__judged_v000002`;

-- [122] silver.order_payments: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_order_payments__merged_v000002`;

-- [123] silver.order_payments: drop work table
DROP TABLE IF EXISTS `keystone`.`silver_order_payments__v000002`;

-- [124] gold.dim_customer: build version 000001
CREATE TABLE "keystone"."gold_dim_customer__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/dim_customer/_v/000001/') AS
SELECT from_base(substr(to_hex(md5(to_utf8(CAST(customer_id AS varchar)))), 1, 15), 16) AS customer_sk, customer_id, customer_unique_id, customer_zip_code_prefix, customer_city, customer_state
FROM "keystone"."silver_customers"
UNION ALL SELECT 0, '(unknown)', '(unknown)', NULL, '(unknown)', NULL
ORDER BY customer_sk;

-- [125] gold.dim_seller: build version 000001
CREATE TABLE "keystone"."gold_dim_seller__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/dim_seller/_v/000001/') AS
SELECT from_base(substr(to_hex(md5(to_utf8(CAST(seller_id AS varchar)))), 1, 15), 16) AS seller_sk, seller_id, seller_zip_code_prefix, seller_city, seller_state FROM "keystone"."silver_sellers"
UNION ALL SELECT 0, '(unknown)', NULL, '(unknown)', NULL
ORDER BY seller_sk;

-- [126] gold.dim_product: build version 000001
CREATE TABLE "keystone"."gold_dim_product__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/dim_product/_v/000001/') AS
SELECT from_base(substr(to_hex(md5(to_utf8(CAST(p.product_id AS varchar)))), 1, 15), 16) AS product_sk, p.product_id,
       coalesce(p.product_category_name, 'unknown') AS category,
       coalesce(t.product_category_name_english, p.product_category_name, 'unknown') AS category_english,
       p.product_name_lenght AS name_length, p.product_description_lenght AS description_length, p.product_photos_qty AS photos,
       p.product_weight_g AS weight_g, p.product_length_cm AS length_cm, p.product_height_cm AS height_cm, p.product_width_cm AS width_cm
FROM "keystone"."silver_products" p LEFT JOIN "keystone"."silver_category_translation" t ON t.product_category_name = p.product_category_name
UNION ALL SELECT 0, '(unknown)', 'unknown', 'unknown', NULL, NULL, NULL, NULL, NULL, NULL, NULL
ORDER BY product_sk;

-- [127] gold.dim_geolocation: build version 000001
CREATE TABLE "keystone"."gold_dim_geolocation__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/dim_geolocation/_v/000001/') AS
WITH g AS (
  SELECT geolocation_zip_code_prefix AS zip, approx_percentile(geolocation_lat, 0.5) AS lat, approx_percentile(geolocation_lng, 0.5) AS lng, count(*) AS points
  FROM "keystone"."silver_geolocation" GROUP BY 1),
city AS (
  SELECT zip, max_by(city, n) AS city FROM (
    SELECT geolocation_zip_code_prefix AS zip, geolocation_city AS city, count(*) AS n FROM "keystone"."silver_geolocation" WHERE geolocation_city IS NOT NULL GROUP BY 1, 2)
  GROUP BY 1),
state AS (
  SELECT zip, max_by(state, n) AS state FROM (
    SELECT geolocation_zip_code_prefix AS zip, geolocation_state AS state, count(*) AS n FROM "keystone"."silver_geolocation" WHERE geolocation_state IS NOT NULL GROUP BY 1, 2)
  GROUP BY 1)
SELECT from_base(substr(to_hex(md5(to_utf8(CAST(g.zip AS varchar)))), 1, 15), 16) AS geolocation_sk, g.zip AS zip_code_prefix, g.lat, g.lng, city.city, state.state, g.points
FROM g LEFT JOIN city ON city.zip = g.zip LEFT JOIN state ON state.zip = g.zip
UNION ALL SELECT 0, '(unknown)', NULL, NULL, '(unknown)', NULL, 0
ORDER BY geolocation_sk;

-- [128] gold.fact_orders: build version 000001
CREATE TABLE "keystone"."gold_fact_orders__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/fact_orders/_v/000001/') AS
WITH items AS (SELECT order_id, count(*) AS items, sum(price) AS items_value, sum(freight_value) AS freight_value FROM "keystone"."silver_order_items" GROUP BY 1),
     pays AS (SELECT order_id, count(*) AS payments, sum(payment_value) AS payment_value FROM "keystone"."silver_order_payments" GROUP BY 1)
SELECT from_base(substr(to_hex(md5(to_utf8(CAST(o.order_id AS varchar)))), 1, 15), 16) AS order_sk, o.order_id,
       CASE WHEN c.customer_id IS NULL THEN 0 ELSE from_base(substr(to_hex(md5(to_utf8(CAST(o.customer_id AS varchar)))), 1, 15), 16) END AS customer_sk,
       coalesce(CAST(date_format(CAST(o.order_purchase_timestamp AS DATE), '%Y%m%d') AS INTEGER), 0) AS purchase_date_sk,
       o.order_status, o.order_purchase_timestamp, o.order_approved_at, o.order_delivered_carrier_date,
       o.order_delivered_customer_date, o.order_estimated_delivery_date,
       coalesce(i.items, 0) AS items, coalesce(i.items_value, 0) AS items_value, coalesce(i.freight_value, 0) AS freight_value,
       coalesce(p.payments, 0) AS payments, coalesce(p.payment_value, 0) AS payment_value,
       CASE WHEN o.order_delivered_customer_date IS NOT NULL THEN date_diff('day', CAST(o.order_purchase_timestamp AS DATE), CAST(o.order_delivered_customer_date AS DATE)) END AS delivery_days,
       CASE WHEN o.order_delivered_customer_date IS NOT NULL AND o.order_estimated_delivery_date IS NOT NULL
            THEN CAST(o.order_delivered_customer_date AS DATE) <= o.order_estimated_delivery_date END AS on_time,
       CASE WHEN o.order_delivered_customer_date IS NOT NULL AND o.order_estimated_delivery_date IS NOT NULL
            THEN greatest(date_diff('day', o.order_estimated_delivery_date, CAST(o.order_delivered_customer_date AS DATE)), 0) END AS days_late
FROM "keystone"."silver_orders" o
LEFT JOIN "keystone"."silver_customers" c ON c.customer_id = o.customer_id
LEFT JOIN items i ON i.order_id = o.order_id
LEFT JOIN pays p ON p.order_id = o.order_id
ORDER BY o.order_purchase_timestamp, o.order_id;

-- [129] gold.fact_order_items: build version 000001
CREATE TABLE "keystone"."gold_fact_order_items__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/fact_order_items/_v/000001/') AS
SELECT from_base(substr(to_hex(md5(to_utf8(CAST(i.order_id AS varchar)))), 1, 15), 16) AS order_sk, i.order_id, i.order_item_id,
       CASE WHEN p.product_id IS NULL THEN 0 ELSE from_base(substr(to_hex(md5(to_utf8(CAST(i.product_id AS varchar)))), 1, 15), 16) END AS product_sk,
       CASE WHEN s.seller_id IS NULL THEN 0 ELSE from_base(substr(to_hex(md5(to_utf8(CAST(i.seller_id AS varchar)))), 1, 15), 16) END AS seller_sk,
       CASE WHEN c.customer_id IS NULL THEN 0 ELSE from_base(substr(to_hex(md5(to_utf8(CAST(o.customer_id AS varchar)))), 1, 15), 16) END AS customer_sk,
       coalesce(CAST(date_format(CAST(o.order_purchase_timestamp AS DATE), '%Y%m%d') AS INTEGER), 0) AS purchase_date_sk,
       coalesce(CAST(date_format(CAST(i.shipping_limit_date AS DATE), '%Y%m%d') AS INTEGER), 0) AS shipping_limit_date_sk,
       i.product_id, i.seller_id, i.shipping_limit_date, i.price, i.freight_value
FROM "keystone"."silver_order_items" i
LEFT JOIN "keystone"."silver_orders" o ON o.order_id = i.order_id
LEFT JOIN "keystone"."silver_customers" c ON c.customer_id = o.customer_id
LEFT JOIN "keystone"."silver_products" p ON p.product_id = i.product_id
LEFT JOIN "keystone"."silver_sellers" s ON s.seller_id = i.seller_id
ORDER BY i.order_id, i.order_item_id;

-- [130] gold.fact_payments: build version 000001
CREATE TABLE "keystone"."gold_fact_payments__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/fact_payments/_v/000001/') AS
SELECT from_base(substr(to_hex(md5(to_utf8(CAST(pm.order_id AS varchar)))), 1, 15), 16) AS order_sk, pm.order_id, pm.payment_sequential, pm.payment_type, pm.payment_installments, pm.payment_value,
       CASE WHEN c.customer_id IS NULL THEN 0 ELSE from_base(substr(to_hex(md5(to_utf8(CAST(o.customer_id AS varchar)))), 1, 15), 16) END AS customer_sk,
       coalesce(CAST(date_format(CAST(o.order_purchase_timestamp AS DATE), '%Y%m%d') AS INTEGER), 0) AS purchase_date_sk
FROM "keystone"."silver_order_payments" pm
LEFT JOIN "keystone"."silver_orders" o ON o.order_id = pm.order_id
LEFT JOIN "keystone"."silver_customers" c ON c.customer_id = o.customer_id
ORDER BY pm.order_id, pm.payment_sequential;

-- [131] gold.fact_reviews: build version 000001
CREATE TABLE "keystone"."gold_fact_reviews__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/fact_reviews/_v/000001/') AS
SELECT from_base(substr(to_hex(md5(to_utf8(CAST(r.review_id || '|' || r.order_id AS varchar)))), 1, 15), 16) AS review_sk, r.review_id, r.order_id, from_base(substr(to_hex(md5(to_utf8(CAST(r.order_id AS varchar)))), 1, 15), 16) AS order_sk,
       CASE WHEN c.customer_id IS NULL THEN 0 ELSE from_base(substr(to_hex(md5(to_utf8(CAST(o.customer_id AS varchar)))), 1, 15), 16) END AS customer_sk,
       coalesce(CAST(date_format(CAST(r.review_creation_date AS DATE), '%Y%m%d') AS INTEGER), 0) AS creation_date_sk,
       r.review_score, r.review_comment_title IS NOT NULL OR r.review_comment_message IS NOT NULL AS has_comment,
       r.review_creation_date, r.review_answer_timestamp,
       CASE WHEN r.review_answer_timestamp IS NOT NULL THEN date_diff('hour', CAST(r.review_creation_date AS TIMESTAMP), r.review_answer_timestamp) END AS answer_hours
FROM "keystone"."silver_order_reviews" r
LEFT JOIN "keystone"."silver_orders" o ON o.order_id = r.order_id
LEFT JOIN "keystone"."silver_customers" c ON c.customer_id = o.customer_id
ORDER BY r.review_creation_date, r.review_id, r.order_id;

-- [132] gold.dim_date: build version 000001
CREATE TABLE "keystone"."gold_dim_date__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/dim_date/_v/000001/') AS
WITH bounds AS (
  SELECT coalesce(min(d), DATE '2016-01-01') AS lo, coalesce(max(d), DATE '2018-12-31') AS hi FROM (
    SELECT CAST(order_purchase_timestamp AS DATE) AS d FROM "keystone"."gold_fact_orders__v000001"
    UNION ALL SELECT CAST(order_estimated_delivery_date AS DATE) FROM "keystone"."gold_fact_orders__v000001"
    UNION ALL SELECT CAST(order_delivered_customer_date AS DATE) FROM "keystone"."gold_fact_orders__v000001"
    UNION ALL SELECT CAST(shipping_limit_date AS DATE) FROM "keystone"."gold_fact_order_items__v000001"
    UNION ALL SELECT CAST(review_creation_date AS DATE) FROM "keystone"."gold_fact_reviews__v000001")
),
days AS (
  SELECT d
  FROM bounds CROSS JOIN UNNEST(sequence(CAST(date_trunc('year', lo) AS DATE), CAST(date_trunc('year', hi) + INTERVAL '1' YEAR - INTERVAL '1' DAY AS DATE), INTERVAL '1' DAY)) AS t(d)
)
SELECT coalesce(CAST(date_format(CAST(d AS DATE), '%Y%m%d') AS INTEGER), 0) AS date_sk, d AS date, year(d) AS year, quarter(d) AS quarter, month(d) AS month,
       date_format(d, '%M') AS month_name, day(d) AS day, day_of_week(d) AS day_of_week, date_format(d, '%W') AS day_name,
       day_of_week(d) >= 6 AS is_weekend, CAST(date_trunc('week', d) AS DATE) AS week_start, CAST(date_trunc('month', d) AS DATE) AS month_start
FROM days
UNION ALL
SELECT 0, NULL, NULL, NULL, NULL, '(unknown)', NULL, NULL, '(unknown)', NULL, NULL, NULL
ORDER BY date_sk;

-- [133] gold.mart_daily_sales: build version 000001
CREATE TABLE "keystone"."gold_mart_daily_sales__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/mart_daily_sales/_v/000001/') AS
WITH o AS (SELECT purchase_date_sk, count(*) AS orders FROM "keystone"."gold_fact_orders__v000001" WHERE purchase_date_sk <> 0 GROUP BY 1),
     i AS (SELECT purchase_date_sk, count(*) AS items, sum(price) AS gmv, sum(freight_value) AS freight FROM "keystone"."gold_fact_order_items__v000001" WHERE purchase_date_sk <> 0 GROUP BY 1)
SELECT d.date, d.date_sk, coalesce(o.orders, 0) AS orders, coalesce(i.items, 0) AS items,
       coalesce(i.gmv, 0) AS gmv, coalesce(i.freight, 0) AS freight,
       CASE WHEN coalesce(o.orders, 0) > 0 THEN round(coalesce(i.gmv, 0) / o.orders, 2) END AS avg_order_value
FROM "keystone"."gold_dim_date__v000001" d LEFT JOIN o ON o.purchase_date_sk = d.date_sk LEFT JOIN i ON i.purchase_date_sk = d.date_sk
WHERE d.date_sk <> 0 AND d.date BETWEEN (SELECT min(d2.date) FROM "keystone"."gold_dim_date__v000001" d2 JOIN o ON o.purchase_date_sk = d2.date_sk)
                                    AND (SELECT max(d2.date) FROM "keystone"."gold_dim_date__v000001" d2 JOIN o ON o.purchase_date_sk = d2.date_sk)
ORDER BY d.date;

-- [134] gold.mart_monthly_category_revenue: build version 000001
CREATE TABLE "keystone"."gold_mart_monthly_category_revenue__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/mart_monthly_category_revenue/_v/000001/') AS
SELECT d.month_start AS month, p.category_english AS category, sum(f.price) AS revenue, count(*) AS items, count(DISTINCT f.order_id) AS orders
FROM "keystone"."gold_fact_order_items__v000001" f
JOIN "keystone"."gold_dim_date__v000001" d ON d.date_sk = f.purchase_date_sk
JOIN "keystone"."gold_dim_product__v000001" p ON p.product_sk = f.product_sk
WHERE f.purchase_date_sk <> 0
GROUP BY 1, 2 ORDER BY 1, 3 DESC;

-- [135] gold.mart_seller_scorecard: build version 000001
CREATE TABLE "keystone"."gold_mart_seller_scorecard__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/mart_seller_scorecard/_v/000001/') AS
WITH per_order AS (
  SELECT f.seller_sk, f.order_id, sum(f.price) AS revenue, count(*) AS items FROM "keystone"."gold_fact_order_items__v000001" f GROUP BY 1, 2)
SELECT s.seller_sk, s.seller_id, s.seller_city, s.seller_state,
       count(*) AS orders, sum(po.items) AS items, sum(po.revenue) AS revenue,
       round(avg(r.review_score), 2) AS avg_review_score,
       round(avg(CASE WHEN o.on_time THEN 1e0 WHEN NOT o.on_time THEN 0e0 END), 4) AS on_time_rate,
       round(avg(o.delivery_days), 2) AS avg_delivery_days
FROM per_order po
JOIN "keystone"."gold_dim_seller__v000001" s ON s.seller_sk = po.seller_sk
LEFT JOIN "keystone"."gold_fact_orders__v000001" o ON o.order_id = po.order_id
LEFT JOIN (SELECT order_id, avg(review_score) AS review_score FROM "keystone"."gold_fact_reviews__v000001" GROUP BY 1) r ON r.order_id = po.order_id
GROUP BY 1, 2, 3, 4 ORDER BY revenue DESC, s.seller_id;

-- [136] gold.mart_delivery_by_state: build version 000001
CREATE TABLE "keystone"."gold_mart_delivery_by_state__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/mart_delivery_by_state/_v/000001/') AS
SELECT coalesce(c.customer_state, '(unknown)') AS state, count(*) AS delivered_orders,
       round(avg(CASE WHEN o.on_time THEN 1e0 ELSE 0e0 END), 4) AS on_time_rate,
       round(avg(o.delivery_days), 2) AS avg_delivery_days,
       round(avg(o.days_late) FILTER (WHERE o.days_late > 0), 2) AS avg_days_late
FROM "keystone"."gold_fact_orders__v000001" o JOIN "keystone"."gold_dim_customer__v000001" c ON c.customer_sk = o.customer_sk
WHERE o.order_delivered_customer_date IS NOT NULL AND o.on_time IS NOT NULL
GROUP BY 1 ORDER BY delivered_orders DESC, state;

-- [137] gold.mart_review_scores: build version 000001
CREATE TABLE "keystone"."gold_mart_review_scores__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/mart_review_scores/_v/000001/') AS
SELECT review_score, count(*) AS reviews, round(CAST(count(*) AS double) / sum(count(*)) OVER (), 4) AS share
FROM "keystone"."gold_fact_reviews__v000001" GROUP BY 1 ORDER BY 1;

-- [138] gold.mart_payment_mix: build version 000001
CREATE TABLE "keystone"."gold_mart_payment_mix__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/mart_payment_mix/_v/000001/') AS
SELECT payment_type, count(*) AS payments, sum(payment_value) AS total_value,
       round(CAST(sum(payment_value) AS double) / sum(sum(payment_value)) OVER (), 4) AS value_share,
       round(avg(payment_installments), 2) AS avg_installments
FROM "keystone"."gold_fact_payments__v000001" GROUP BY 1 ORDER BY total_value DESC;

-- [139] gold.dim_customer: publish
CREATE OR REPLACE VIEW "keystone"."gold_dim_customer" AS SELECT * FROM "keystone"."gold_dim_customer__v000001";

-- [140] gold.dim_seller: publish
CREATE OR REPLACE VIEW "keystone"."gold_dim_seller" AS SELECT * FROM "keystone"."gold_dim_seller__v000001";

-- [141] gold.dim_product: publish
CREATE OR REPLACE VIEW "keystone"."gold_dim_product" AS SELECT * FROM "keystone"."gold_dim_product__v000001";

-- [142] gold.dim_geolocation: publish
CREATE OR REPLACE VIEW "keystone"."gold_dim_geolocation" AS SELECT * FROM "keystone"."gold_dim_geolocation__v000001";

-- [143] gold.fact_orders: publish
CREATE OR REPLACE VIEW "keystone"."gold_fact_orders" AS SELECT * FROM "keystone"."gold_fact_orders__v000001";

-- [144] gold.fact_order_items: publish
CREATE OR REPLACE VIEW "keystone"."gold_fact_order_items" AS SELECT * FROM "keystone"."gold_fact_order_items__v000001";

-- [145] gold.fact_payments: publish
CREATE OR REPLACE VIEW "keystone"."gold_fact_payments" AS SELECT * FROM "keystone"."gold_fact_payments__v000001";

-- [146] gold.fact_reviews: publish
CREATE OR REPLACE VIEW "keystone"."gold_fact_reviews" AS SELECT * FROM "keystone"."gold_fact_reviews__v000001";

-- [147] gold.dim_date: publish
CREATE OR REPLACE VIEW "keystone"."gold_dim_date" AS SELECT * FROM "keystone"."gold_dim_date__v000001";

-- [148] gold.mart_daily_sales: publish
CREATE OR REPLACE VIEW "keystone"."gold_mart_daily_sales" AS SELECT * FROM "keystone"."gold_mart_daily_sales__v000001";

-- [149] gold.mart_monthly_category_revenue: publish
CREATE OR REPLACE VIEW "keystone"."gold_mart_monthly_category_revenue" AS SELECT * FROM "keystone"."gold_mart_monthly_category_revenue__v000001";

-- [150] gold.mart_seller_scorecard: publish
CREATE OR REPLACE VIEW "keystone"."gold_mart_seller_scorecard" AS SELECT * FROM "keystone"."gold_mart_seller_scorecard__v000001";

-- [151] gold.mart_delivery_by_state: publish
CREATE OR REPLACE VIEW "keystone"."gold_mart_delivery_by_state" AS SELECT * FROM "keystone"."gold_mart_delivery_by_state__v000001";

-- [152] gold.mart_review_scores: publish
CREATE OR REPLACE VIEW "keystone"."gold_mart_review_scores" AS SELECT * FROM "keystone"."gold_mart_review_scores__v000001";

-- [153] gold.mart_payment_mix: publish
CREATE OR REPLACE VIEW "keystone"."gold_mart_payment_mix" AS SELECT * FROM "keystone"."gold_mart_payment_mix__v000001";
