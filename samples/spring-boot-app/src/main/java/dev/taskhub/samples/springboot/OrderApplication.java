package dev.taskhub.samples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The order sample: {@code mvn -pl samples/spring-boot-app spring-boot:run} (PostgreSQL from
 * {@code spring.datasource.url}), then {@code curl -XPOST localhost:8080/orders -H 'content-type: application/json'
 * -d '{"item":"book","quantity":2}'}.
 */
@SpringBootApplication
public class OrderApplication {
    public static void main(String[] args) {
        SpringApplication.run(OrderApplication.class, args);
    }
}
