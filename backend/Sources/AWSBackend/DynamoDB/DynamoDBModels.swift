import FoundationEssentials
import LifestyleToolkit

/// DynamoDB request/response shapes (subset of API version 2012-08-10) used by the app.
/// Property names are Swift-cased; the wire names are the AWS PascalCase members.
public enum DynamoDB {
    public enum ReturnValue: String, Codable, Sendable, Hashable {
        case none = "NONE", allOld = "ALL_OLD", updatedOld = "UPDATED_OLD", allNew = "ALL_NEW", updatedNew = "UPDATED_NEW"
    }

    public enum ReturnValuesOnConditionCheckFailure: String, Codable, Sendable, Hashable {
        case none = "NONE", allOld = "ALL_OLD"
    }

    // MARK: GetItem
    public struct GetItemInput: Encodable, Sendable, Hashable {
        public var tableName: String
        public var key: DynamoDBItem
        public var consistentRead: Bool?
        public var projectionExpression: String?
        public var expressionAttributeNames: [String: String]?
        enum CodingKeys: String, CodingKey {
            case tableName = "TableName", key = "Key", consistentRead = "ConsistentRead"
            case projectionExpression = "ProjectionExpression", expressionAttributeNames = "ExpressionAttributeNames"
        }
        public init(
            tableName: String, key: DynamoDBItem, consistentRead: Bool? = nil, projectionExpression: String? = nil,
            expressionAttributeNames: [String: String]? = nil
        ) {
            self.tableName = tableName; self.key = key; self.consistentRead = consistentRead
            self.projectionExpression = projectionExpression; self.expressionAttributeNames = expressionAttributeNames
        }
    }

    public struct GetItemOutput: Decodable, Sendable, Hashable {
        public var item: DynamoDBItem?
        enum CodingKeys: String, CodingKey { case item = "Item" }
    }

    // MARK: PutItem
    public struct PutItemInput: Encodable, Sendable, Hashable {
        public var tableName: String
        public var item: DynamoDBItem
        public var conditionExpression: String?
        public var expressionAttributeNames: [String: String]?
        public var expressionAttributeValues: DynamoDBItem?
        public var returnValues: ReturnValue?
        public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?
        enum CodingKeys: String, CodingKey {
            case tableName = "TableName", item = "Item", conditionExpression = "ConditionExpression"
            case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
            case returnValues = "ReturnValues", returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
        }
        public init(
            tableName: String, item: DynamoDBItem, conditionExpression: String? = nil, expressionAttributeNames: [String: String]? = nil,
            expressionAttributeValues: DynamoDBItem? = nil, returnValues: ReturnValue? = nil,
            returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure? = nil
        ) {
            self.tableName = tableName; self.item = item; self.conditionExpression = conditionExpression
            self.expressionAttributeNames = expressionAttributeNames; self.expressionAttributeValues = expressionAttributeValues
            self.returnValues = returnValues; self.returnValuesOnConditionCheckFailure = returnValuesOnConditionCheckFailure
        }
    }

    /// Output of PutItem / UpdateItem / DeleteItem.
    public struct WriteItemOutput: Decodable, Sendable, Hashable {
        /// Present when `ReturnValues` asked for them.
        public var attributes: DynamoDBItem?
        enum CodingKeys: String, CodingKey { case attributes = "Attributes" }
    }

    // MARK: UpdateItem
    public struct UpdateItemInput: Encodable, Sendable, Hashable {
        public var tableName: String
        public var key: DynamoDBItem
        public var updateExpression: String
        public var conditionExpression: String?
        public var expressionAttributeNames: [String: String]?
        public var expressionAttributeValues: DynamoDBItem?
        public var returnValues: ReturnValue?
        public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?
        enum CodingKeys: String, CodingKey {
            case tableName = "TableName", key = "Key", updateExpression = "UpdateExpression", conditionExpression = "ConditionExpression"
            case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
            case returnValues = "ReturnValues", returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
        }
        public init(
            tableName: String, key: DynamoDBItem, updateExpression: String, conditionExpression: String? = nil,
            expressionAttributeNames: [String: String]? = nil, expressionAttributeValues: DynamoDBItem? = nil,
            returnValues: ReturnValue? = nil, returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure? = nil
        ) {
            self.tableName = tableName; self.key = key; self.updateExpression = updateExpression;
            self.conditionExpression = conditionExpression
            self.expressionAttributeNames = expressionAttributeNames; self.expressionAttributeValues = expressionAttributeValues
            self.returnValues = returnValues; self.returnValuesOnConditionCheckFailure = returnValuesOnConditionCheckFailure
        }
    }

    // MARK: DeleteItem
    public struct DeleteItemInput: Encodable, Sendable, Hashable {
        public var tableName: String
        public var key: DynamoDBItem
        public var conditionExpression: String?
        public var expressionAttributeNames: [String: String]?
        public var expressionAttributeValues: DynamoDBItem?
        public var returnValues: ReturnValue?
        enum CodingKeys: String, CodingKey {
            case tableName = "TableName", key = "Key", conditionExpression = "ConditionExpression"
            case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
            case returnValues = "ReturnValues"
        }
        public init(
            tableName: String, key: DynamoDBItem, conditionExpression: String? = nil, expressionAttributeNames: [String: String]? = nil,
            expressionAttributeValues: DynamoDBItem? = nil, returnValues: ReturnValue? = nil
        ) {
            self.tableName = tableName; self.key = key; self.conditionExpression = conditionExpression
            self.expressionAttributeNames = expressionAttributeNames; self.expressionAttributeValues = expressionAttributeValues
            self.returnValues = returnValues
        }
    }

    // MARK: Query
    public struct QueryInput: Encodable, Sendable, Hashable {
        public var tableName: String
        public var indexName: String?
        public var keyConditionExpression: String
        public var filterExpression: String?
        public var projectionExpression: String?
        public var expressionAttributeNames: [String: String]?
        public var expressionAttributeValues: DynamoDBItem?
        public var limit: Int?
        public var scanIndexForward: Bool?
        public var exclusiveStartKey: DynamoDBItem?
        public var consistentRead: Bool?
        enum CodingKeys: String, CodingKey {
            case tableName = "TableName", indexName = "IndexName", keyConditionExpression = "KeyConditionExpression"
            case filterExpression = "FilterExpression", projectionExpression = "ProjectionExpression"
            case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
            case limit = "Limit", scanIndexForward = "ScanIndexForward", exclusiveStartKey = "ExclusiveStartKey", consistentRead =
                "ConsistentRead"
        }
        public init(
            tableName: String, indexName: String? = nil, keyConditionExpression: String, filterExpression: String? = nil,
            projectionExpression: String? = nil, expressionAttributeNames: [String: String]? = nil,
            expressionAttributeValues: DynamoDBItem? = nil, limit: Int? = nil, scanIndexForward: Bool? = nil,
            exclusiveStartKey: DynamoDBItem? = nil, consistentRead: Bool? = nil
        ) {
            self.tableName = tableName; self.indexName = indexName; self.keyConditionExpression = keyConditionExpression
            self.filterExpression = filterExpression; self.projectionExpression = projectionExpression
            self.expressionAttributeNames = expressionAttributeNames; self.expressionAttributeValues = expressionAttributeValues
            self.limit = limit; self.scanIndexForward = scanIndexForward; self.exclusiveStartKey = exclusiveStartKey;
            self.consistentRead = consistentRead
        }
    }

    public struct QueryOutput: Decodable, Sendable, Hashable {
        public var items: [DynamoDBItem]
        public var count: Int?
        public var scannedCount: Int?
        /// Non-nil when there are more results: pass it as `exclusiveStartKey`.
        public var lastEvaluatedKey: DynamoDBItem?
        enum CodingKeys: String, CodingKey {
            case items = "Items", count = "Count", scannedCount = "ScannedCount", lastEvaluatedKey = "LastEvaluatedKey"
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            items = try c.decodeIfPresent([DynamoDBItem].self, forKey: .items) ?? []
            count = try c.decodeIfPresent(Int.self, forKey: .count)
            scannedCount = try c.decodeIfPresent(Int.self, forKey: .scannedCount)
            lastEvaluatedKey = try c.decodeIfPresent(DynamoDBItem.self, forKey: .lastEvaluatedKey)
        }
    }

    // MARK: TransactWriteItems
    public struct TransactPut: Encodable, Sendable, Hashable {
        public var tableName: String
        public var item: DynamoDBItem
        public var conditionExpression: String?
        public var expressionAttributeNames: [String: String]?
        public var expressionAttributeValues: DynamoDBItem?
        enum CodingKeys: String, CodingKey {
            case tableName = "TableName", item = "Item", conditionExpression = "ConditionExpression"
            case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
        }
        public init(
            tableName: String, item: DynamoDBItem, conditionExpression: String? = nil, expressionAttributeNames: [String: String]? = nil,
            expressionAttributeValues: DynamoDBItem? = nil
        ) {
            self.tableName = tableName; self.item = item; self.conditionExpression = conditionExpression
            self.expressionAttributeNames = expressionAttributeNames; self.expressionAttributeValues = expressionAttributeValues
        }
    }

    public struct TransactUpdate: Encodable, Sendable, Hashable {
        public var tableName: String
        public var key: DynamoDBItem
        public var updateExpression: String
        public var conditionExpression: String?
        public var expressionAttributeNames: [String: String]?
        public var expressionAttributeValues: DynamoDBItem?
        enum CodingKeys: String, CodingKey {
            case tableName = "TableName", key = "Key", updateExpression = "UpdateExpression", conditionExpression = "ConditionExpression"
            case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
        }
        public init(
            tableName: String, key: DynamoDBItem, updateExpression: String, conditionExpression: String? = nil,
            expressionAttributeNames: [String: String]? = nil, expressionAttributeValues: DynamoDBItem? = nil
        ) {
            self.tableName = tableName; self.key = key; self.updateExpression = updateExpression;
            self.conditionExpression = conditionExpression
            self.expressionAttributeNames = expressionAttributeNames; self.expressionAttributeValues = expressionAttributeValues
        }
    }

    /// Used for both `Delete` and `ConditionCheck` (ConditionCheck requires `conditionExpression`).
    public struct TransactKeyCondition: Encodable, Sendable, Hashable {
        public var tableName: String
        public var key: DynamoDBItem
        public var conditionExpression: String?
        public var expressionAttributeNames: [String: String]?
        public var expressionAttributeValues: DynamoDBItem?
        enum CodingKeys: String, CodingKey {
            case tableName = "TableName", key = "Key", conditionExpression = "ConditionExpression"
            case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
        }
        public init(
            tableName: String, key: DynamoDBItem, conditionExpression: String? = nil, expressionAttributeNames: [String: String]? = nil,
            expressionAttributeValues: DynamoDBItem? = nil
        ) {
            self.tableName = tableName; self.key = key; self.conditionExpression = conditionExpression
            self.expressionAttributeNames = expressionAttributeNames; self.expressionAttributeValues = expressionAttributeValues
        }
    }

    public enum TransactWriteItem: Encodable, Sendable, Hashable {
        case put(TransactPut)
        case update(TransactUpdate)
        case delete(TransactKeyCondition)
        case conditionCheck(TransactKeyCondition)

        enum CodingKeys: String, CodingKey { case put = "Put", update = "Update", delete = "Delete", conditionCheck = "ConditionCheck" }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .put(let v): try c.encode(v, forKey: .put)
            case .update(let v): try c.encode(v, forKey: .update)
            case .delete(let v): try c.encode(v, forKey: .delete)
            case .conditionCheck(let v): try c.encode(v, forKey: .conditionCheck)
            }
        }
    }

    public struct TransactWriteItemsInput: Encodable, Sendable, Hashable {
        public var transactItems: [TransactWriteItem]
        /// Idempotency token (valid 10 minutes). `DynamoDBClient.transactWriteItems` fills a
        /// random one when nil so that retries after a 5xx/timeout are safe.
        public var clientRequestToken: String?
        enum CodingKeys: String, CodingKey { case transactItems = "TransactItems", clientRequestToken = "ClientRequestToken" }
        public init(transactItems: [TransactWriteItem], clientRequestToken: String? = nil) {
            self.transactItems = transactItems; self.clientRequestToken = clientRequestToken
        }
    }
}
