// Control-plane and client-side AWS calls that only the tests make (creating and deleting
// emulator tables and pools, signing in as a client would, MFA set-up through Cognito). The
// deployed stack owns the real resources, and the function never makes these calls, so they
// live here, outside the AWSBackend module the Lambda binary links.
import AWSBackend
import FoundationEssentials
import SigV4

extension DynamoDBClient {
    @discardableResult
    public func createTable(_ input: DynamoDB.CreateTableInput, deadline: ContinuousClock.Instant? = nil) async throws(AWSClientError)
        -> DynamoDB.TableDescriptionOutput
    {
        try await client.call("CreateTable", input: input, idempotent: false, deadline: deadline)
    }

    @discardableResult
    public func deleteTable(tableName: String, deadline: ContinuousClock.Instant? = nil) async throws(AWSClientError)
        -> DynamoDB.TableDescriptionOutput
    {
        try await client.call("DeleteTable", input: DynamoDB.TableNameInput(tableName: tableName), idempotent: true, deadline: deadline)
    }

    public func describeTable(tableName: String, deadline: ContinuousClock.Instant? = nil) async throws(AWSClientError)
        -> DynamoDB.TableDescriptionOutput
    {
        try await client.call("DescribeTable", input: DynamoDB.TableNameInput(tableName: tableName), idempotent: true, deadline: deadline)
    }
}

extension DynamoDB {
    public struct KeySchemaElement: Codable, Sendable, Hashable {
        public enum KeyType: String, Codable, Sendable { case hash = "HASH", range = "RANGE" }
        public var attributeName: String
        public var keyType: KeyType
        enum CodingKeys: String, CodingKey { case attributeName = "AttributeName", keyType = "KeyType" }
        public init(attributeName: String, keyType: KeyType) { self.attributeName = attributeName; self.keyType = keyType }
    }

    public struct AttributeDefinition: Codable, Sendable, Hashable {
        /// `S`, `N` or `B`.
        public var attributeName: String
        public var attributeType: String
        enum CodingKeys: String, CodingKey { case attributeName = "AttributeName", attributeType = "AttributeType" }
        public init(attributeName: String, attributeType: String) { self.attributeName = attributeName; self.attributeType = attributeType }
    }

    public struct Projection: Codable, Sendable, Hashable {
        public var projectionType: String
        enum CodingKeys: String, CodingKey { case projectionType = "ProjectionType" }
        public init(projectionType: String = "ALL") { self.projectionType = projectionType }
    }

    public struct GlobalSecondaryIndex: Codable, Sendable, Hashable {
        public var indexName: String
        public var keySchema: [KeySchemaElement]
        public var projection: Projection
        enum CodingKeys: String, CodingKey { case indexName = "IndexName", keySchema = "KeySchema", projection = "Projection" }
        public init(indexName: String, keySchema: [KeySchemaElement], projection: Projection = Projection()) {
            self.indexName = indexName; self.keySchema = keySchema; self.projection = projection
        }
    }

    public struct CreateTableInput: Encodable, Sendable, Hashable {
        public var tableName: String
        public var keySchema: [KeySchemaElement]
        public var attributeDefinitions: [AttributeDefinition]
        public var billingMode: String
        public var globalSecondaryIndexes: [GlobalSecondaryIndex]?
        enum CodingKeys: String, CodingKey {
            case tableName = "TableName", keySchema = "KeySchema", attributeDefinitions = "AttributeDefinitions"
            case billingMode = "BillingMode", globalSecondaryIndexes = "GlobalSecondaryIndexes"
        }
        public init(
            tableName: String, keySchema: [KeySchemaElement], attributeDefinitions: [AttributeDefinition],
            billingMode: String = "PAY_PER_REQUEST", globalSecondaryIndexes: [GlobalSecondaryIndex]? = nil
        ) {
            self.tableName = tableName; self.keySchema = keySchema; self.attributeDefinitions = attributeDefinitions
            self.billingMode = billingMode; self.globalSecondaryIndexes = globalSecondaryIndexes
        }
    }

    public struct TableDescription: Decodable, Sendable, Hashable {
        public var tableName: String?
        public var tableStatus: String?
        public var tableArn: String?
        enum CodingKeys: String, CodingKey { case tableName = "TableName", tableStatus = "TableStatus", tableArn = "TableArn" }
    }

    public struct TableDescriptionOutput: Decodable, Sendable, Hashable {
        public var tableDescription: TableDescription?
        enum CodingKeys: String, CodingKey { case tableDescription = "TableDescription", table = "Table" }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            tableDescription =
                try c.decodeIfPresent(TableDescription.self, forKey: .tableDescription)
                ?? c.decodeIfPresent(TableDescription.self, forKey: .table)
        }
    }

    public struct TableNameInput: Encodable, Sendable {
        public var tableName: String
        enum CodingKeys: String, CodingKey { case tableName = "TableName" }
    }
}
