// REST bodies, validated by ValidationPipe and documented in OpenAPI. Enumerations are the proto enum names without
// their prefix (docs/workflow.md); times ISO 8601; bytes base64. Deep rules (selector syntax, time ranges, policy)
// are the workflow's, so both transports give the same answers.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBase64,
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsDefined,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  APPROVAL_DECISIONS,
  APPROVER_ROLES,
  EMERGENCY_THREATS,
  REQUEST_TYPES,
  TYPES_OF_CASE,
  URGENCIES,
  type ApprovalDecision,
  type ApproverRole,
  type EmergencyThreat,
  type RequestType,
  type TypeOfCase,
  type Urgency,
} from '#evx/workflow';

const SELECTOR_KINDS = ['msisdn', 'imsi', 'imei', 'ipObservation', 'iban', 'nationalId'] as const;

export class LegalBasisDto {
  @ApiProperty({ example: 'Code of Criminal Procedure' }) @IsString() @Length(1, 256) law: string;
  @ApiProperty({ example: '126na(1)' }) @IsString() @Length(1, 64) article: string;
  @ApiProperty({ description: 'SHA-256 of the signed order document, lowercase hex' })
  @Matches(/^[0-9a-f]{64}$/, { message: 'orderDocumentSha256 must be 64 lowercase hex digits' })
  orderDocumentSha256: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) orderDocumentReference?: string;
}

export class EmergencyDto {
  @ApiProperty({ enum: EMERGENCY_THREATS }) @IsIn(EMERGENCY_THREATS) threat: EmergencyThreat;
  @ApiProperty({ description: 'What is threatened, why it is imminent, why this data helps' })
  @IsString()
  @MaxLength(4000)
  justification: string;
}

export class SelectorDto {
  @ApiProperty({ example: 's1' }) @Matches(/^[A-Za-z0-9_-]{1,32}$/) selectorId: string;
  @ApiProperty({ enum: SELECTOR_KINDS }) @IsIn(SELECTOR_KINDS) kind: (typeof SELECTOR_KINDS)[number];
  @ApiProperty({
    description:
      'A string for msisdn, imsi, imei, iban; {ipAddress, port, observedTime} for ipObservation; {countryCode, value} for nationalId',
    oneOf: [{ type: 'string' }, { type: 'object' }],
  })
  @IsDefined()
  value: string | Record<string, unknown>;
}

export class TimeRangeDto {
  @ApiProperty() @IsDateString() start: string;
  @ApiProperty() @IsDateString() end: string;
}

export class RequestDetailsDto {
  @ApiProperty({ enum: REQUEST_TYPES, isArray: true })
  @ArrayMinSize(1)
  @IsIn(REQUEST_TYPES, { each: true })
  requestTypes: RequestType[];
  @ApiProperty({ type: [SelectorDto] })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => SelectorDto)
  selectors: SelectorDto[];
  @ApiPropertyOptional({ type: TimeRangeDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TimeRangeDto)
  timeRange?: TimeRangeDto;
}

export class OrderDetailsDto {
  @ApiProperty({ example: 'HN-2026-0042' }) @IsString() @Length(1, 128) caseReference: string;
  @ApiPropertyOptional({ example: 'NL' }) @IsOptional() @Matches(/^[A-Z]{2}$/) countryCode?: string;
  @ApiProperty({ type: LegalBasisDto }) @ValidateNested() @Type(() => LegalBasisDto) legalBasis: LegalBasisDto;
  @ApiProperty({ enum: TYPES_OF_CASE }) @IsIn(TYPES_OF_CASE) typeOfCase: TypeOfCase;
  @ApiProperty({ enum: URGENCIES }) @IsIn(URGENCIES) urgency: Urgency;
  @ApiPropertyOptional({ type: EmergencyDto, description: 'Required exactly when urgency is EMERGENCY' })
  @IsOptional()
  @ValidateNested()
  @Type(() => EmergencyDto)
  emergency?: EmergencyDto;
  @ApiProperty({ example: 'telco-a' }) @IsString() @Length(1, 63) targetProviderId: string;
  @ApiProperty({ type: RequestDetailsDto })
  @ValidateNested()
  @Type(() => RequestDetailsDto)
  requestDetails: RequestDetailsDto;
  @ApiPropertyOptional() @IsOptional() @IsDateString() requestedDeadline?: string;
  @ApiProperty({ description: 'Do not notify the data subject' }) @IsBoolean() confidential: boolean;
  @ApiProperty({ description: 'Freeze the data, disclose nothing (LPTask)' }) @IsBoolean() preservationOnly: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() preservationAuthorisationId?: string;
}

export class CreateRequestDto {
  @ApiProperty({ description: '16 to 128 printable ASCII characters; a replay returns the first order' })
  @Matches(/^[\x21-\x7e]{16,128}$/, { message: 'idempotencyKey must be 16 to 128 printable ASCII characters' })
  idempotencyKey: string;
  @ApiProperty({ type: OrderDetailsDto }) @ValidateNested() @Type(() => OrderDetailsDto) details: OrderDetailsDto;
}

class GenerationDto {
  @ApiProperty({ description: 'The generation you saw; 412 if it is no longer current' })
  @IsInt()
  @Min(1)
  expectedGeneration: number;
}

export class SubmitRequestDto extends GenerationDto {
  @ApiProperty({
    description: "Base64 RSASSA-PSS signature by the requester's key over canonicalRequest (docs/requests.md)",
  })
  @IsBase64()
  signature: string;
}

export class DecideRequestDto extends GenerationDto {
  @ApiProperty({ enum: APPROVER_ROLES }) @IsIn(APPROVER_ROLES) role: ApproverRole;
  @ApiPropertyOptional({ description: 'Required to reject and to validate; at most 4000 characters' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  reason?: string;
  @ApiProperty({ description: "When you decided; within 5 minutes of EVX's clock" }) @IsDateString() decidedAt: string;
  @ApiProperty({ description: "Base64 signature by the approver's key over the approval document (docs/requests.md)" })
  @IsBase64()
  signature: string;
}

export class ValidateRequestDto extends DecideRequestDto {
  @ApiProperty({ enum: APPROVAL_DECISIONS, description: 'APPROVED validates, REJECTED refuses validation (seals)' })
  @IsIn(APPROVAL_DECISIONS)
  decision: ApprovalDecision;
}

export class WithdrawRequestDto extends GenerationDto {
  @ApiProperty() @IsString() @Length(1, 4000) reason: string;
}

export class AnswerClarificationDto extends GenerationDto {
  @ApiProperty({ description: 'The question answered (clarifications[].clarificationId)' })
  @IsString()
  @Length(1, 64)
  clarificationId: string;

  @ApiProperty({ description: 'The answer, 1 to 4000 characters' }) @IsString() @Length(1, 4000) answer: string;
}

export class ExtendPreservationDto extends GenerationDto {
  @ApiProperty({ description: 'Why the data must be kept longer' }) @IsString() @Length(1, 4000) reason: string;
}

export class CloseRequestDto extends GenerationDto {
  @ApiPropertyOptional({ description: 'Optional note' }) @IsOptional() @IsString() @Length(0, 4000) reason?: string;
}

/** Selectors as the workflow reads them; its own checks (selectorProblem) judge the values. */
export function selectorValueOf(dto: SelectorDto): unknown {
  if (dto.kind === 'ipObservation' && typeof dto.value === 'object' && dto.value !== null) {
    const v = dto.value as { ipAddress?: unknown; port?: unknown; observedTime?: unknown };
    return { ipAddress: v.ipAddress, port: v.port ?? 0, observedTime: new Date(String(v.observedTime)) };
  }
  return dto.value;
}
