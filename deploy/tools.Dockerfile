# syntax=docker/dockerfile:1
#
# qoder-kafka-tools: the connector's tooling (the Qoder API simulator, the demo, the bench), for
# docker compose and local experiments. Not for production: deploy/Dockerfile builds that image.
#
#   docker build -f deploy/tools.Dockerfile -t qoder-kafka-tools:local .
#   docker run --rm -p 8090:8090 qoder-kafka-tools:local simulate --host 0.0.0.0 --port 8090 --live
#
# Build context: the repository root.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY schemas schemas
COPY src src
RUN --mount=type=cache,target=/root/.m2 \
    chmod +x mvnw && ./mvnw -B -DskipTests package

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 qoder \
 && useradd --system --uid 10001 --gid qoder --home-dir /app --no-create-home --shell /usr/sbin/nologin qoder
WORKDIR /app
COPY --from=build /src/target/qoder-kafka-tools.jar /app/qoder-kafka-tools.jar
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
USER 10001:10001
ENTRYPOINT ["java", "-jar", "/app/qoder-kafka-tools.jar"]
CMD ["--help"]
