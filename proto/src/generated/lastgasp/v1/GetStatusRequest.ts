// Original file: lastgasp/v1/collector.proto


export interface GetStatusRequest {
}

export interface GetStatusRequest__Output {
}
