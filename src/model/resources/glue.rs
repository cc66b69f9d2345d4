//! AWS Glue Data Catalog: the database and the external tables Athena reads
//! the archive through (partition projection: no crawler, no partitions
//! stored in the catalog).

use indexmap::IndexMap;
use serde::Serialize;

use crate::model::intrinsic::Expr;
use crate::model::template::ResourceProperties;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Database {
    /// The account's own catalog.
    pub catalog_id: Expr,
    pub database_input: DatabaseInput,
}

impl ResourceProperties for Database {
    const TYPE: &'static str = "AWS::Glue::Database";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DatabaseInput {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Table {
    pub catalog_id: Expr,
    /// `Ref` of the database: its name.
    pub database_name: Expr,
    pub table_input: TableInput,
}

impl ResourceProperties for Table {
    const TYPE: &'static str = "AWS::Glue::Table";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableInput {
    pub name: String,
    pub description: String,
    /// `EXTERNAL_TABLE`: dropping the table never touches the data.
    pub table_type: &'static str,
    /// Table properties: `projection.*`, `storage.location.template`, …
    pub parameters: IndexMap<String, String>,
    pub partition_keys: Vec<Column>,
    pub storage_descriptor: StorageDescriptor,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Column {
    pub name: String,
    /// A Hive type: `string`, `bigint`, `array<struct<…>>`.
    #[serde(rename = "Type")]
    pub column_type: String,
}

impl Column {
    pub fn new(name: &str, column_type: &str) -> Self {
        Column {
            name: name.into(),
            column_type: column_type.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StorageDescriptor {
    pub columns: Vec<Column>,
    /// `s3://bucket/prefix/`: the root the partitions' locations are under.
    pub location: String,
    pub input_format: &'static str,
    pub output_format: &'static str,
    pub serde_info: SerdeInfo,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SerdeInfo {
    pub serialization_library: &'static str,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, String>,
}
