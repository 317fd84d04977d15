// Generates src/Samsa.Protocol/Generated from shared/kafka-protocol. Implemented in issue 2.
Console.Error.WriteLine("usage: generator KAFKA_PROTOCOL_DIR OUTPUT_DIR");
return 2;
