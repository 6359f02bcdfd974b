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

-- [3] bronze.geolocation: table
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

-- [4] bronze.order_items: table
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

-- [5] bronze.order_payments: table
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

-- [6] bronze.order_reviews: table
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

-- [7] bronze.orders: table
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

-- [8] bronze.products: table
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

-- [9] bronze.sellers: table
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

-- [10] bronze.category_translation: table
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

-- [11] silver.customers: table
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
  'projection.year.range' = '2016,2016',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/customers/_v/000001/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [12] silver.geolocation: table
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
  'projection.year.range' = '2016,2016',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/geolocation/_v/000001/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [13] silver.order_items: table
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
  'projection.year.range' = '2016,2016',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/order_items/_v/000001/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [14] silver.order_payments: table
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
  'projection.year.range' = '2016,2016',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/order_payments/_v/000001/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [15] silver.order_reviews: table
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
  'projection.year.range' = '2016,2016',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/order_reviews/_v/000001/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [16] silver.orders: table
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
  'projection.year.range' = '2016,2016',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/orders/_v/000001/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [17] silver.products: table
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
  'projection.year.range' = '2016,2016',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/products/_v/000001/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [18] silver.sellers: table
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
  'projection.year.range' = '2016,2016',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/sellers/_v/000001/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

-- [19] silver.category_translation: table
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
  'projection.year.range' = '2016,2016',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://olist-data-lake-silver/category_translation/_v/000001/year=${year}/month=${month}/day=${day}/',
  'parquet.compression' = 'ZSTD'
);

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

-- [21] gold.dim_customer: table
CREATE TABLE "keystone"."gold_dim_customer__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/dim_customer/_v/000001/') AS
SELECT from_base(substr(to_hex(md5(to_utf8(CAST(customer_id AS varchar)))), 1, 15), 16) AS customer_sk, customer_id, customer_unique_id, customer_zip_code_prefix, customer_city, customer_state
FROM "keystone"."silver_customers"
UNION ALL SELECT 0, '(unknown)', '(unknown)', NULL, '(unknown)', NULL
ORDER BY customer_sk;

-- [22] gold.dim_customer: view
CREATE OR REPLACE VIEW "keystone"."gold_dim_customer" AS SELECT * FROM "keystone"."gold_dim_customer__v000001";

-- [23] gold.dim_seller: table
CREATE TABLE "keystone"."gold_dim_seller__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/dim_seller/_v/000001/') AS
SELECT from_base(substr(to_hex(md5(to_utf8(CAST(seller_id AS varchar)))), 1, 15), 16) AS seller_sk, seller_id, seller_zip_code_prefix, seller_city, seller_state FROM "keystone"."silver_sellers"
UNION ALL SELECT 0, '(unknown)', NULL, '(unknown)', NULL
ORDER BY seller_sk;

-- [24] gold.dim_seller: view
CREATE OR REPLACE VIEW "keystone"."gold_dim_seller" AS SELECT * FROM "keystone"."gold_dim_seller__v000001";

-- [25] gold.dim_product: table
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

-- [26] gold.dim_product: view
CREATE OR REPLACE VIEW "keystone"."gold_dim_product" AS SELECT * FROM "keystone"."gold_dim_product__v000001";

-- [27] gold.dim_geolocation: table
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

-- [28] gold.dim_geolocation: view
CREATE OR REPLACE VIEW "keystone"."gold_dim_geolocation" AS SELECT * FROM "keystone"."gold_dim_geolocation__v000001";

-- [29] gold.fact_orders: table
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

-- [30] gold.fact_orders: view
CREATE OR REPLACE VIEW "keystone"."gold_fact_orders" AS SELECT * FROM "keystone"."gold_fact_orders__v000001";

-- [31] gold.fact_order_items: table
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

-- [32] gold.fact_order_items: view
CREATE OR REPLACE VIEW "keystone"."gold_fact_order_items" AS SELECT * FROM "keystone"."gold_fact_order_items__v000001";

-- [33] gold.fact_payments: table
CREATE TABLE "keystone"."gold_fact_payments__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/fact_payments/_v/000001/') AS
SELECT from_base(substr(to_hex(md5(to_utf8(CAST(pm.order_id AS varchar)))), 1, 15), 16) AS order_sk, pm.order_id, pm.payment_sequential, pm.payment_type, pm.payment_installments, pm.payment_value,
       CASE WHEN c.customer_id IS NULL THEN 0 ELSE from_base(substr(to_hex(md5(to_utf8(CAST(o.customer_id AS varchar)))), 1, 15), 16) END AS customer_sk,
       coalesce(CAST(date_format(CAST(o.order_purchase_timestamp AS DATE), '%Y%m%d') AS INTEGER), 0) AS purchase_date_sk
FROM "keystone"."silver_order_payments" pm
LEFT JOIN "keystone"."silver_orders" o ON o.order_id = pm.order_id
LEFT JOIN "keystone"."silver_customers" c ON c.customer_id = o.customer_id
ORDER BY pm.order_id, pm.payment_sequential;

-- [34] gold.fact_payments: view
CREATE OR REPLACE VIEW "keystone"."gold_fact_payments" AS SELECT * FROM "keystone"."gold_fact_payments__v000001";

-- [35] gold.fact_reviews: table
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

-- [36] gold.fact_reviews: view
CREATE OR REPLACE VIEW "keystone"."gold_fact_reviews" AS SELECT * FROM "keystone"."gold_fact_reviews__v000001";

-- [37] gold.dim_date: table
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

-- [38] gold.dim_date: view
CREATE OR REPLACE VIEW "keystone"."gold_dim_date" AS SELECT * FROM "keystone"."gold_dim_date__v000001";

-- [39] gold.mart_daily_sales: table
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

-- [40] gold.mart_daily_sales: view
CREATE OR REPLACE VIEW "keystone"."gold_mart_daily_sales" AS SELECT * FROM "keystone"."gold_mart_daily_sales__v000001";

-- [41] gold.mart_monthly_category_revenue: table
CREATE TABLE "keystone"."gold_mart_monthly_category_revenue__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/mart_monthly_category_revenue/_v/000001/') AS
SELECT d.month_start AS month, p.category_english AS category, sum(f.price) AS revenue, count(*) AS items, count(DISTINCT f.order_id) AS orders
FROM "keystone"."gold_fact_order_items__v000001" f
JOIN "keystone"."gold_dim_date__v000001" d ON d.date_sk = f.purchase_date_sk
JOIN "keystone"."gold_dim_product__v000001" p ON p.product_sk = f.product_sk
WHERE f.purchase_date_sk <> 0
GROUP BY 1, 2 ORDER BY 1, 3 DESC;

-- [42] gold.mart_monthly_category_revenue: view
CREATE OR REPLACE VIEW "keystone"."gold_mart_monthly_category_revenue" AS SELECT * FROM "keystone"."gold_mart_monthly_category_revenue__v000001";

-- [43] gold.mart_seller_scorecard: table
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

-- [44] gold.mart_seller_scorecard: view
CREATE OR REPLACE VIEW "keystone"."gold_mart_seller_scorecard" AS SELECT * FROM "keystone"."gold_mart_seller_scorecard__v000001";

-- [45] gold.mart_delivery_by_state: table
CREATE TABLE "keystone"."gold_mart_delivery_by_state__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/mart_delivery_by_state/_v/000001/') AS
SELECT coalesce(c.customer_state, '(unknown)') AS state, count(*) AS delivered_orders,
       round(avg(CASE WHEN o.on_time THEN 1e0 ELSE 0e0 END), 4) AS on_time_rate,
       round(avg(o.delivery_days), 2) AS avg_delivery_days,
       round(avg(o.days_late) FILTER (WHERE o.days_late > 0), 2) AS avg_days_late
FROM "keystone"."gold_fact_orders__v000001" o JOIN "keystone"."gold_dim_customer__v000001" c ON c.customer_sk = o.customer_sk
WHERE o.order_delivered_customer_date IS NOT NULL AND o.on_time IS NOT NULL
GROUP BY 1 ORDER BY delivered_orders DESC, state;

-- [46] gold.mart_delivery_by_state: view
CREATE OR REPLACE VIEW "keystone"."gold_mart_delivery_by_state" AS SELECT * FROM "keystone"."gold_mart_delivery_by_state__v000001";

-- [47] gold.mart_review_scores: table
CREATE TABLE "keystone"."gold_mart_review_scores__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/mart_review_scores/_v/000001/') AS
SELECT review_score, count(*) AS reviews, round(CAST(count(*) AS double) / sum(count(*)) OVER (), 4) AS share
FROM "keystone"."gold_fact_reviews__v000001" GROUP BY 1 ORDER BY 1;

-- [48] gold.mart_review_scores: view
CREATE OR REPLACE VIEW "keystone"."gold_mart_review_scores" AS SELECT * FROM "keystone"."gold_mart_review_scores__v000001";

-- [49] gold.mart_payment_mix: table
CREATE TABLE "keystone"."gold_mart_payment_mix__v000001"
WITH (format = 'PARQUET', parquet_compression = 'ZSTD', external_location = 's3://olist-data-lake-gold/mart_payment_mix/_v/000001/') AS
SELECT payment_type, count(*) AS payments, sum(payment_value) AS total_value,
       round(CAST(sum(payment_value) AS double) / sum(sum(payment_value)) OVER (), 4) AS value_share,
       round(avg(payment_installments), 2) AS avg_installments
FROM "keystone"."gold_fact_payments__v000001" GROUP BY 1 ORDER BY total_value DESC;

-- [50] gold.mart_payment_mix: view
CREATE OR REPLACE VIEW "keystone"."gold_mart_payment_mix" AS SELECT * FROM "keystone"."gold_mart_payment_mix__v000001";
